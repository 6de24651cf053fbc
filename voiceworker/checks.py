"""Startup checks: everything the worker needs before it registers with LiveKit.

The library's own worker logs a connection failure and exits with status 0, so a missing key
would otherwise surface as a silent worker or a dead call. These checks run first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from agents_app.validation import voice_agent_problems
from voiceworker.providers import (
    ModelRoute,
    PipelineSpec,
    Route,
    UnsupportedModelError,
    route_llm,
    route_stt,
    route_tts,
    setting_value,
)

LIVEKIT_SETTINGS = ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET")


def check_configuration(specs: Iterable[PipelineSpec], *, require_livekit: bool = True) -> list[str]:
    """Return one readable problem per missing setting or unusable model; empty when all is well.

    ``require_livekit`` is False for the offline console, which needs LiveKit only when a model
    goes through LiveKit Inference.
    """
    problems: list[str] = []
    # setting -> the models (and agents) that need it, so each missing key is named once
    needed: dict[str, list[str]] = {}
    uses_inference = False

    for spec in specs:
        # what the admin and the API refuse to save, for agents saved before (or around) that
        problems.extend(
            f"{spec.label}: {message}"
            for messages in voice_agent_problems(
                language=spec.language,
                stt_model=spec.stt_model,
                llm_model=spec.llm_model,
                tts_model=spec.tts_model,
                voice_id=spec.voice_id,
            ).values()
            for message in messages
        )
        for kind, router, value in (
            ("STT", route_stt, spec.stt_model),
            ("LLM", route_llm, spec.llm_model),
            ("TTS", route_tts, spec.tts_model),
        ):
            try:
                route: ModelRoute = router(value)
            except UnsupportedModelError:
                continue  # reported above
            if route.route == Route.LIVEKIT_INFERENCE:
                uses_inference = True
            elif route.key_setting:
                reason = f"{kind} «{value}» ({spec.label})"
                if reason not in needed.setdefault(route.key_setting, []):
                    needed[route.key_setting].append(reason)

    if require_livekit or uses_inference:
        needed = {**{name: [] for name in LIVEKIT_SETTINGS}, **needed}

    for name, reasons in needed.items():
        if setting_value(name):
            continue
        if reasons:
            problems.append(
                _("Falta %(setting)s, necesaria para: %(uses)s.")
                % {"setting": name, "uses": ", ".join(reasons)}
            )
        else:
            problems.append(_("Falta %(setting)s, necesaria para conectar con LiveKit.") % {"setting": name})
    return problems
