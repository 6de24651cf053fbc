"""Which provider serves each model a VoiceAgent names, and which setting holds its key.

Rule for model strings:

* With ``VOICE_USE_LIVEKIT_INFERENCE`` true, any "provider/model" string (``"deepgram/nova-3"``,
  ``"openai/gpt-4.1-mini"``) goes through LiveKit Inference and needs only the LiveKit
  credentials.
* Otherwise STT is always the Deepgram plugin and TTS the Cartesia plugin: ``"deepgram/nova-3"``
  and ``"nova-3"`` both mean Deepgram's ``nova-3``; another provider prefix is refused. The LLM
  model is sent verbatim to the OpenAI-compatible endpoint at ``LLM_BASE_URL`` (Groq model names
  may contain a slash), with ``GROQ_API_KEY`` when that endpoint is Groq, else ``OPENAI_API_KEY``.

This module imports no plugin, so the startup checks stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from agents_app.models import VoiceAgent

STT_PLUGIN = "deepgram"
TTS_PLUGIN = "cartesia"


class Route(StrEnum):
    DEEPGRAM = "deepgram"
    CARTESIA = "cartesia"
    OPENAI_COMPATIBLE = "openai-compatible"
    LIVEKIT_INFERENCE = "livekit-inference"


class UnsupportedModelError(ValueError):
    pass


@dataclass(frozen=True)
class ModelRoute:
    value: str  # as configured on the agent
    route: Route
    model: str  # as passed to the plugin
    key_setting: str | None  # the setting holding the provider key; None for LiveKit Inference


@dataclass(frozen=True)
class PipelineSpec:
    """The part of a VoiceAgent that decides which providers a call uses."""

    label: str
    language: str
    stt_model: str
    llm_model: str
    tts_model: str
    voice_id: str = ""

    @classmethod
    def from_agent(cls, agent: VoiceAgent) -> PipelineSpec:
        return cls(
            label=agent.name,
            language=agent.language,
            stt_model=agent.stt_model,
            llm_model=agent.llm_model,
            tts_model=agent.tts_model,
            voice_id=agent.voice_id,
        )


def use_livekit_inference() -> bool:
    return settings.VOICE_USE_LIVEKIT_INFERENCE


def llm_base_url() -> str:
    return settings.LLM_BASE_URL


def llm_key_setting(base_url: str | None = None) -> str:
    host = urlparse(llm_base_url() if base_url is None else base_url).hostname or ""
    return "GROQ_API_KEY" if host == "groq.com" or host.endswith(".groq.com") else "OPENAI_API_KEY"


def _split(value: str) -> tuple[str, str]:
    provider, sep, model = value.partition("/")
    return (provider.strip().lower(), model.strip()) if sep else ("", value.strip())


def _plugin_route(value: str, *, kind: str, plugin: str, route: Route, key_setting: str) -> ModelRoute:
    value = (value or "").strip()
    if not value:
        raise UnsupportedModelError(_("El modelo %(kind)s está vacío.") % {"kind": kind})
    if use_livekit_inference() and "/" in value:
        return ModelRoute(value, Route.LIVEKIT_INFERENCE, value, None)
    provider, model = _split(value)
    if provider and provider != plugin:
        raise UnsupportedModelError(
            _(
                "El modelo %(kind)s «%(value)s» es de «%(provider)s», pero solo está instalado el "
                "plugin de %(plugin)s. Usa «%(plugin)s/<modelo>» o activa "
                "VOICE_USE_LIVEKIT_INFERENCE para usar LiveKit Inference."
            )
            % {"kind": kind, "value": value, "provider": provider, "plugin": plugin}
        )
    if not model:
        raise UnsupportedModelError(
            _("El modelo %(kind)s «%(value)s» no indica el modelo.") % {"kind": kind, "value": value}
        )
    return ModelRoute(value, route, model, key_setting)


def route_stt(value: str) -> ModelRoute:
    return _plugin_route(
        value, kind="STT", plugin=STT_PLUGIN, route=Route.DEEPGRAM, key_setting="DEEPGRAM_API_KEY"
    )


def route_tts(value: str) -> ModelRoute:
    return _plugin_route(
        value, kind="TTS", plugin=TTS_PLUGIN, route=Route.CARTESIA, key_setting="CARTESIA_API_KEY"
    )


def route_llm(value: str) -> ModelRoute:
    value = (value or "").strip()
    if not value:
        raise UnsupportedModelError(_("El modelo %(kind)s está vacío.") % {"kind": "LLM"})
    if use_livekit_inference() and "/" in value:
        return ModelRoute(value, Route.LIVEKIT_INFERENCE, value, None)
    return ModelRoute(value, Route.OPENAI_COMPATIBLE, value, llm_key_setting())


def setting_value(name: str) -> str:
    return str(getattr(settings, name, "") or "").strip()
