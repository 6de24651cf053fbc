"""After the call: one LLM request over the transcript writes a short summary and flags."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from livekit.agents import llm

from voiceworker import persistence, pipeline
from voiceworker.persistence import SurveyJob
from voiceworker.providers import Route, UnsupportedModelError, route_llm, setting_value

logger = logging.getLogger(__name__)

SUMMARY_TIMEOUT_SECONDS = 20.0


def summary_prompt() -> str:
    return _(
        "Resume en una o dos frases, en español, esta llamada de encuesta. Responde solo con un "
        'objeto JSON: {"resumen": texto, "queja": true/false (el cliente se queja de algo), '
        '"rellamada": true/false (pide que le llamen en otro momento), "idioma": código ISO del '
        "idioma que habló el cliente}."
    )


def summary_available(job: SurveyJob) -> bool:
    if not settings.VOICE_SUMMARY_ENABLED:
        return False
    try:
        route = route_llm(job.pipeline.llm_model)
    except UnsupportedModelError:
        return False
    if route.route == Route.LIVEKIT_INFERENCE:
        return bool(setting_value("LIVEKIT_API_KEY"))
    return bool(route.key_setting and setting_value(route.key_setting))


def parse_summary(text: str) -> tuple[str, dict[str, object]]:
    match = re.search(r"\{.*\}", text, re.DOTALL)
    data: dict[str, Any] = {}
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = {}
    if not isinstance(data, dict) or not data:
        return text.strip(), {}
    flags: dict[str, object] = {"complaint": bool(data.get("queja"))}
    if data.get("rellamada"):
        flags["callback_requested"] = True  # never clears what the call itself recorded
    if isinstance(data.get("idioma"), str) and data["idioma"].strip():
        flags["language"] = data["idioma"].strip().lower()[:8]
    return str(data.get("resumen") or "").strip(), flags


async def _ask(job: SurveyJob, transcript: str) -> tuple[str, int]:
    model = pipeline.build_llm(job.pipeline)
    chat = llm.ChatContext()
    chat.add_message(role="system", content=summary_prompt())
    chat.add_message(role="user", content=transcript)
    text, tokens = "", 0
    async with model.chat(chat_ctx=chat) as stream:
        async for chunk in stream:
            if chunk.delta is not None and chunk.delta.content:
                text += chunk.delta.content
            if chunk.usage is not None:
                tokens = chunk.usage.total_tokens
    return text, tokens


async def summarize_call(job: SurveyJob) -> None:
    """Job shutdown callback; never raises (a summary is a nice-to-have, the call is already saved)."""
    if not summary_available(job):
        return
    try:
        transcript = await persistence.run_db(persistence.transcript, job.encuesta_id)
        if not transcript.strip():
            return
        text, tokens = await asyncio.wait_for(_ask(job, transcript), SUMMARY_TIMEOUT_SECONDS)
        summary, flags = parse_summary(text)
        await persistence.run_db(persistence.record_summary, job.encuesta_id, summary, flags, tokens)
    except Exception:
        logger.exception("could not summarise the call", extra={"encuesta_id": job.encuesta_id})
