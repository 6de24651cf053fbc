"""Whether a voice agent can run: one set of checks for the admin, the API, calls and the worker.

Offline and without secrets (which keys are set is ``runvoiceworker --check``'s business, see
voiceworker.checks). Imports no model, so models.py can use it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from voiceworker.providers import (
    STT_PLUGIN,
    TTS_PLUGIN,
    Route,
    UnsupportedModelError,
    route_llm,
    route_stt,
    route_tts,
)

# Languages both the STT (Deepgram nova-3) and the TTS (Cartesia sonic-3) speak.
SUPPORTED_LANGUAGES = frozenset({"es", "en", "fr", "de", "it", "pt", "nl"})
ENGLISH = frozenset({"en"})
VOICE_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# LiveKit's agent_name: what a worker registers and a dispatch names.
DISPATCH_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
# Groq and LiveKit Inference names: "llama-3.3-70b-versatile", "openai/gpt-oss-120b".
LLM_MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*(/[A-Za-z0-9][A-Za-z0-9._:-]*)*$")

# Models of the Deepgram and Cartesia plugins (and LiveKit Inference) -> the supported languages
# they speak. English-only Deepgram models are the domain-tuned ones.
STT_MODELS: dict[str, dict[str, frozenset[str]]] = {
    "deepgram": {
        **dict.fromkeys(("nova-3", "nova-3-general", "nova-2", "nova-2-general"), SUPPORTED_LANGUAGES),
        **dict.fromkeys(
            ("whisper-tiny", "whisper-base", "whisper-small", "whisper-medium", "whisper-large"),
            SUPPORTED_LANGUAGES,
        ),
        **dict.fromkeys(
            (
                "nova-3-medical",
                "nova-2-meeting",
                "nova-2-phonecall",
                "nova-2-finance",
                "nova-2-conversationalai",
                "nova-2-voicemail",
                "nova-2-video",
                "nova-2-medical",
                "nova-2-drivethru",
                "nova-2-automotive",
                "nova-2-atc",
            ),
            ENGLISH,
        ),
    },
}
TTS_MODELS: dict[str, dict[str, frozenset[str]]] = {
    "cartesia": {
        **dict.fromkeys(
            (
                "sonic-3",
                "sonic-3.5",
                "sonic-3-latest",
                "sonic-2",
                "sonic-turbo",
                "sonic",
                "sonic-latest",
                "sonic-lite",
                "sonic-preview",
                "sonic-multilingual",  # Cartesia's older name, still saved on some agents
            ),
            SUPPORTED_LANGUAGES,
        ),
    },
}
# Providers LiveKit Inference serves; the models of the ones above must also be known.
INFERENCE_STT_PROVIDERS = frozenset(
    {"deepgram", "cartesia", "assemblyai", "speechmatics", "xai", "inworld", "google", "openai"}
)
INFERENCE_TTS_PROVIDERS = frozenset(
    {"cartesia", "deepgram", "rime", "inworld", "xai", "fishaudio", "elevenlabs"}
)

Problems = dict[str, list[str]]


def dispatch_name_problems(dispatch_name: str) -> list[str]:
    if DISPATCH_NAME_RE.match(dispatch_name or ""):
        return []
    return [
        _(
            "Nombre de despacho no válido «%(name)s»: LiveKit solo admite letras, números, "
            "«-», «_» y «.», sin espacios."
        )
        % {"name": dispatch_name}
    ]


def _speech_problems(
    *, kind: str, value: str, language: str, plugin: str, models: dict, inference_providers: frozenset
) -> list[str]:
    router = route_stt if kind == "STT" else route_tts
    try:
        route = router(value)
    except UnsupportedModelError as exc:
        return [str(exc)]
    if route.route == Route.LIVEKIT_INFERENCE:
        provider, _sep, model = route.model.partition("/")
        provider = provider.strip().lower()
        if provider not in inference_providers:
            return [
                _("LiveKit Inference no ofrece el proveedor %(kind)s «%(provider)s». Posibles: %(all)s.")
                % {"kind": kind, "provider": provider, "all": ", ".join(sorted(inference_providers))}
            ]
    else:
        provider, model = plugin, route.model
    known = models.get(provider)
    if known is None:
        return []  # a LiveKit Inference provider whose models we do not list
    languages = known.get(model.strip())
    if languages is None:
        return [
            _("%(provider)s no tiene el modelo %(kind)s «%(model)s». Posibles: %(all)s.")
            % {"provider": provider, "kind": kind, "model": model, "all": ", ".join(sorted(known))}
        ]
    if language in SUPPORTED_LANGUAGES and language not in languages:
        return [
            _("El modelo %(kind)s «%(value)s» no habla «%(lang)s» (solo %(langs)s).")
            % {"kind": kind, "value": value, "lang": language, "langs": ", ".join(sorted(languages))}
        ]
    return []


def voice_agent_problems(
    *,
    language: str,
    stt_model: str,
    llm_model: str,
    tts_model: str,
    voice_id: str,
    dispatch_name: str | None = None,
) -> Problems:
    """Field -> why an agent with these settings could not hold a call; empty when it could.

    ``dispatch_name`` None skips that check (the worker checks the name it serves itself).
    """
    problems: Problems = {}

    def add(field: str, messages: list[str]) -> None:
        if messages:
            problems.setdefault(field, []).extend(messages)

    if language not in SUPPORTED_LANGUAGES:
        add(
            "language",
            [
                _("Idioma no soportado «%(lang)s». Posibles: %(langs)s.")
                % {"lang": language, "langs": ", ".join(sorted(SUPPORTED_LANGUAGES))}
            ],
        )
    add(
        "stt_model",
        _speech_problems(
            kind="STT",
            value=stt_model,
            language=language,
            plugin=STT_PLUGIN,
            models=STT_MODELS,
            inference_providers=INFERENCE_STT_PROVIDERS,
        ),
    )
    add(
        "tts_model",
        _speech_problems(
            kind="TTS",
            value=tts_model,
            language=language,
            plugin=TTS_PLUGIN,
            models=TTS_MODELS,
            inference_providers=INFERENCE_TTS_PROVIDERS,
        ),
    )
    try:
        route_llm(llm_model)
    except UnsupportedModelError as exc:
        add("llm_model", [str(exc)])
    else:
        if not LLM_MODEL_RE.match(llm_model.strip()):
            add(
                "llm_model",
                [
                    _("Modelo LLM no válido «%(value)s»: usa «modelo» o «proveedor/modelo», sin espacios.")
                    % {"value": llm_model}
                ],
            )
    uses_cartesia = "/" not in tts_model or tts_model.strip().lower().startswith(f"{TTS_PLUGIN}/")
    if voice_id and uses_cartesia and not VOICE_ID_RE.match(voice_id.strip().lower()):
        add("voice_id", [_("El id de una voz de Cartesia es un UUID (p. ej. 01234567-89ab-...).")])
    elif language != "en" and not voice_id.strip():
        add(
            "voice_id",
            [
                _("Sin voz, Cartesia usa su voz por defecto, que es inglesa: elige una voz en «%(lang)s».")
                % {"lang": language}
            ],
        )
    if dispatch_name is not None:
        add("dispatch_name", dispatch_name_problems(dispatch_name))
    return problems
