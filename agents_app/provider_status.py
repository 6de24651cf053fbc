"""What the project can say honestly about its providers: configured or not. Never a secret.

Only setting names leave this module, never their values; URLs lose any user:password part.
"""

from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

from agents_app.frontend_selectors import voice_agent_field_default, voice_agent_first
from agents_app.models import VoiceAgent
from agents_app.pipeline_mapping import split_llm
from voiceworker.providers import (
    ModelRoute,
    Route,
    UnsupportedModelError,
    llm_base_url,
    route_llm,
    route_stt,
    route_tts,
    setting_value,
    use_livekit_inference,
)

LIVEKIT_SETTINGS = ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET")
PROVIDER_NAMES = {
    "deepgram": "Deepgram",
    "cartesia": "Cartesia",
    "groq": "Groq",
    "openai": "OpenAI",
    "deepseek": "DeepSeek",
    "google": "Google",
}


def public_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _pipeline() -> tuple[str, str, str]:
    agent = voice_agent_first()
    if agent is None:
        default = voice_agent_field_default
        return default("stt_model"), default("llm_model"), default("tts_model")
    return agent.stt_model, agent.llm_model, agent.tts_model


def _needed(route: ModelRoute | None) -> tuple[str, ...]:
    if route is None or route.route == Route.LIVEKIT_INFERENCE:
        return LIVEKIT_SETTINGS
    return (route.key_setting,) if route.key_setting else ()


def _integration(name: str, provider: str, route: ModelRoute | None, model: str, url: str = "") -> dict:
    needed = _needed(route)
    missing = [setting for setting in needed if not setting_value(setting)]
    if route is not None and route.route == Route.LIVEKIT_INFERENCE:
        provider = f"{provider} (LiveKit Inference)"
    return {
        "name": name,
        "provider": provider,
        "active": route is not None and not missing,
        "model": model,
        "url": url,
        "env_var": ", ".join(missing or needed),
    }


def _route(router, value: str) -> ModelRoute | None:
    try:
        return router(value)
    except UnsupportedModelError:
        return None


def _provider(value: str, default: str) -> str:
    prefix, sep, _model = value.partition("/")
    key = prefix.lower() if sep else default
    return PROVIDER_NAMES.get(key, key)


def integrations_status() -> list[dict]:
    stt, llm, tts = _pipeline()
    livekit_missing = [s for s in LIVEKIT_SETTINGS if not setting_value(s)]
    return [
        {
            "name": "LiveKit",
            "provider": "LiveKit",
            "active": not livekit_missing,
            "model": None,
            "url": public_url(setting_value("LIVEKIT_URL")),
            "env_var": ", ".join(livekit_missing or LIVEKIT_SETTINGS),
        },
        _integration("STT", _provider(stt, "deepgram"), _route(route_stt, stt), stt),
        _integration(
            "LLM",
            PROVIDER_NAMES.get(split_llm(llm)[0], split_llm(llm)[0]),
            _route(route_llm, llm),
            llm,
            url=public_url(llm_base_url()),
        ),
        _integration("TTS", _provider(tts, "cartesia"), _route(route_tts, tts), tts),
    ]


def ai_limits() -> dict:
    """The client's optional blocks, only for providers in use; live quotas are not fetched."""
    blocks: dict[str, dict] = {}
    info = _("Configurado. Los límites en vivo del proveedor no se consultan.")
    for integration in integrations_status()[1:]:
        if not integration["active"]:
            continue
        provider = integration["provider"].split(" ")[0].lower()
        if provider in ("openai", "deepseek"):
            blocks[provider] = {"active": True, "info": info}
        elif provider == "cartesia":
            blocks["cartesia"] = {"active": True, "info": info, "dashboard_url": "https://play.cartesia.ai"}
        elif provider == "deepgram":
            blocks["deepgram"] = {"active": True, "info": info, "balances": []}
    return blocks


def google_diagnosis() -> dict:
    """Google models are reachable only through LiveKit Inference ("google/<model>")."""
    models = sorted(
        {
            value
            for value in VoiceAgent.objects.values_list("llm_model", flat=True)
            if value.lower().startswith("google/")
        }
    )
    livekit_ready = all(setting_value(s) for s in LIVEKIT_SETTINGS)
    if models and use_livekit_inference() and livekit_ready:
        return {
            "status": "success",
            "available_models": models,
            "detail": _("Modelos de Google usados por los agentes, a través de LiveKit Inference."),
        }
    return {
        "status": "not_configured",
        "available_models": [],
        "detail": _(
            "Google no está configurado: este proyecto solo usa Google a través de LiveKit Inference "
            "(VOICE_USE_LIVEKIT_INFERENCE y un agente con un modelo «google/...»)."
        ),
    }
