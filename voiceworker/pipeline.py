"""Build the STT -> LLM -> TTS pipeline of one call from its agent's settings.

The plugins are imported here at module level: livekit-agents requires plugins to register on
the main thread, and this module is imported on the worker's main thread (see worker.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from livekit.agents import AgentSession, inference, llm, stt, tts, vad
from livekit.plugins import cartesia, deepgram, openai, silero

from voiceworker.providers import (
    PipelineSpec,
    Route,
    llm_base_url,
    route_llm,
    route_stt,
    route_tts,
    setting_value,
)


def _livekit_credentials() -> dict[str, Any]:
    # explicit, so LiveKit Inference works whether or not the settings came from the environment
    return {
        "api_key": setting_value("LIVEKIT_API_KEY"),
        "api_secret": setting_value("LIVEKIT_API_SECRET"),
    }


def build_stt(spec: PipelineSpec) -> stt.STT:
    route = route_stt(spec.stt_model)
    if route.route == Route.LIVEKIT_INFERENCE:
        return inference.STT(model=route.model, language=spec.language, **_livekit_credentials())
    kwargs: dict[str, Any] = {}
    if base_url := setting_value("DEEPGRAM_BASE_URL"):
        kwargs["base_url"] = base_url
    return deepgram.STT(
        model=route.model, language=spec.language, api_key=setting_value("DEEPGRAM_API_KEY"), **kwargs
    )


def build_llm(spec: PipelineSpec) -> llm.LLM:
    route = route_llm(spec.llm_model)
    if route.route == Route.LIVEKIT_INFERENCE:
        return inference.LLM(model=route.model, **_livekit_credentials())
    kwargs: dict[str, Any] = {"model": route.model, "api_key": setting_value(route.key_setting or "")}
    if base_url := llm_base_url():
        kwargs["base_url"] = base_url
    return openai.LLM(**kwargs)


def build_tts(spec: PipelineSpec) -> tts.TTS:
    route = route_tts(spec.tts_model)
    if route.route == Route.LIVEKIT_INFERENCE:
        voice: dict[str, Any] = {"voice": spec.voice_id} if spec.voice_id else {}
        return inference.TTS(model=route.model, language=spec.language, **voice, **_livekit_credentials())
    kwargs: dict[str, Any] = {
        "model": route.model,
        "language": spec.language,
        "api_key": setting_value("CARTESIA_API_KEY"),
    }
    if spec.voice_id:
        kwargs["voice"] = spec.voice_id
    if base_url := setting_value("CARTESIA_BASE_URL"):
        kwargs["base_url"] = base_url
    return cartesia.TTS(**kwargs)


def load_vad() -> vad.VAD:
    """Silero's weights ship inside the plugin: no download. Slow, so done once per process."""
    return silero.VAD.load()


def build_turn_detector() -> inference.TurnDetector:
    # v1-mini runs in-process with weights bundled in livekit-local-inference: no hub download
    # and no dependency on LiveKit Cloud (v1 would be picked automatically in dev mode).
    return inference.TurnDetector(version="v1-mini")


def build_session(spec: PipelineSpec, *, vad_model: vad.VAD | None = None) -> AgentSession:
    return AgentSession(
        stt=build_stt(spec),
        llm=build_llm(spec),
        tts=build_tts(spec),
        vad=vad_model or load_vad(),
        turn_handling={"turn_detection": build_turn_detector()},
        # a survey turn may save an answer and then speak; leave room for a retry after an error
        max_tool_steps=settings.VOICE_MAX_TOOL_STEPS,
        user_away_timeout=settings.VOICE_USER_AWAY_SECONDS,
    )
