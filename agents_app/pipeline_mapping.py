"""The old client's `{provider, model}` pairs onto the agent's model strings, and back.

STT and TTS are stored as "provider/model" (`cartesia/sonic-3` <-> `cartesia`, `sonic-3`); a bare
model belongs to the default plugin. The LLM model is sent verbatim to the OpenAI-compatible
endpoint at LLM_BASE_URL, so the endpoint's own provider is stored bare and any other one as
"provider/model" (the LiveKit Inference form).
"""

from urllib.parse import urlparse

from django.conf import settings

from agents_app.frontend_selectors import voice_agent_field_default
from agents_app.models import VoiceAgent

# Prefixes read as an LLM provider; any other "x/y" is a model name of the endpoint (Groq's
# "meta-llama/..." for instance).
LLM_PROVIDERS = frozenset(
    {"openai", "groq", "google", "deepseek", "anthropic", "mistral", "xai", "cerebras", "qwen"}
)
ENDPOINT_PROVIDERS = {
    "groq.com": "groq",
    "openai.com": "openai",
    "deepseek.com": "deepseek",
    "googleapis.com": "google",
    "mistral.ai": "mistral",
    "x.ai": "xai",
    "cerebras.ai": "cerebras",
}


def _default_provider(field: str) -> str:
    return voice_agent_field_default(field).partition("/")[0]


def endpoint_llm_provider() -> str:
    host = urlparse(settings.LLM_BASE_URL).hostname or ""
    for domain, provider in ENDPOINT_PROVIDERS.items():
        if host == domain or host.endswith("." + domain):
            return provider
    return "openai"  # any other OpenAI-compatible server


def split_llm(value: str) -> tuple[str, str]:
    provider, sep, model = value.partition("/")
    if sep and provider.lower() in LLM_PROVIDERS:
        return provider.lower(), model
    return endpoint_llm_provider(), value


def join_llm(provider: str, model: str) -> str:
    return model if provider == endpoint_llm_provider() else f"{provider}/{model}"


def split_plugin(value: str, field: str) -> tuple[str, str]:
    provider, sep, model = value.partition("/")
    return (provider.lower(), model) if sep else (_default_provider(field), value)


def join_plugin(provider: str, model: str) -> str:
    return f"{provider}/{model}"


def agent_pipeline(agent: VoiceAgent) -> dict[str, str]:
    llm_provider, llm_model = split_llm(agent.llm_model)
    tts_provider, tts_model = split_plugin(agent.tts_model, "tts_model")
    stt_provider, stt_model = split_plugin(agent.stt_model, "stt_model")
    return {
        "llm_provider": llm_provider,
        "llm_model": llm_model,
        "tts_provider": tts_provider,
        "tts_model": tts_model,
        "tts_voice": agent.voice_id,
        "stt_provider": stt_provider,
        "stt_model": stt_model,
        "language": agent.language,
    }


def pipeline_fields(agent: VoiceAgent, data: dict[str, str]) -> dict[str, str]:
    """The agent's model fields for the pairs given; a pair half given keeps the other half."""
    current = agent_pipeline(agent)
    merged = {**current, **data}
    fields: dict[str, str] = {}
    if {"llm_provider", "llm_model"} & data.keys():
        fields["llm_model"] = join_llm(merged["llm_provider"], merged["llm_model"])
    if {"tts_provider", "tts_model"} & data.keys():
        fields["tts_model"] = join_plugin(merged["tts_provider"], merged["tts_model"])
    if {"stt_provider", "stt_model"} & data.keys():
        fields["stt_model"] = join_plugin(merged["stt_provider"], merged["stt_model"])
    if "tts_voice" in data:
        fields["voice_id"] = data["tts_voice"]
    if "language" in data:
        fields["language"] = data["language"]
    return fields
