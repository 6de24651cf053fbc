"""One call's state: transcript, answers, how it ends, and the writes each of those implies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from livekit.agents import (
    AgentSession,
    CloseEvent,
    ConversationItemAddedEvent,
    ErrorEvent,
    UserStateChangedEvent,
    get_job_context,
    llm,
)
from livekit.agents.metrics import LLMModelUsage, STTModelUsage, TTSModelUsage

from calls.answers import Question
from calls.services import CallOutcome, CallUsage
from voiceworker import persistence, prompts, provider_alerts
from voiceworker.persistence import SurveyJob

logger = logging.getLogger(__name__)

# The transcript format the old system's reports read: one "Speaker: text" line per turn.
SPEAKER_AGENT = "Agente"
SPEAKER_CUSTOMER = "Cliente"
SPEAKERS = {"assistant": SPEAKER_AGENT, "user": SPEAKER_CUSTOMER}


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


class TranscriptWriter:
    """Appends each final turn to the Encuesta as it happens, in order, off the event loop."""

    def __init__(self, encuesta_id: int) -> None:
        self._encuesta_id = encuesta_id
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def push(self, speaker: str, text: str) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="voiceworker-transcript")
        self._queue.put_nowait((speaker, text))

    async def _run(self) -> None:
        while True:
            speaker, text = await self._queue.get()
            try:
                await persistence.run_db(persistence.append_transcript, self._encuesta_id, speaker, text)
            except Exception:
                logger.exception(
                    "could not append a transcript line", extra={"encuesta_id": self._encuesta_id}
                )
            finally:
                self._queue.task_done()

    async def flush(self) -> None:
        await self._queue.join()

    async def aclose(self) -> None:
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class SurveyCall:
    """Saves answers, records the transcript, and ends the call exactly once, on every path."""

    def __init__(self, job: SurveyJob) -> None:
        self.job = job
        self.answers: dict[str, Any] = dict(job.answers)
        self.outcome: CallOutcome | None = None
        self.close_reason = ""
        self.closing = False  # a goodbye is under way: nothing else may be said
        self.finished = False
        self.opted_out = False
        self.away_prompts = 0
        self._session: AgentSession | None = None
        self._started_at: float | None = None
        self._finish_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._time_limit: asyncio.TimerHandle | None = None
        self._transcript = TranscriptWriter(job.encuesta_id)

    @property
    def _log(self) -> dict[str, Any]:
        return {"encuesta_id": self.job.encuesta_id, "call_id": self.job.call_id}

    @property
    def attached(self) -> bool:
        return self._session is not None

    @property
    def session(self) -> AgentSession:
        assert self._session is not None, "attach() a session first"
        return self._session

    def attach(self, session: AgentSession) -> None:
        """Follow a session: transcript as it goes, silence, errors, survey closed when it ends."""
        self._session = session
        self._started_at = time.monotonic()
        session.on("conversation_item_added", self._on_item_added)
        session.on("user_state_changed", self._on_user_state)
        session.on("error", self._on_error)
        session.on("close", self._on_close)
        limit = settings.CALL_MAX_DURATION.total_seconds() - settings.VOICE_END_MARGIN_SECONDS
        if limit > 0:
            self._time_limit = asyncio.get_running_loop().call_later(limit, self._on_time_limit)

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- what the session tells us ------------------------------------------------------------

    def _on_item_added(self, event: ConversationItemAddedEvent) -> None:
        item = event.item
        if not isinstance(item, llm.ChatMessage) or item.role not in SPEAKERS:
            return
        text = (item.text_content or "").strip()
        if text:
            self._transcript.push(SPEAKERS[item.role], text)

    def _on_user_state(self, event: UserStateChangedEvent) -> None:
        if event.new_state == "speaking":
            self.away_prompts = 0
        elif event.new_state == "away" and not self.closing:
            if self.away_prompts >= settings.VOICE_AWAY_PROMPTS:
                self.end_with(
                    prompts.render_goodbye(self.job.goodbye, self.job.nombre_cliente, self.job.variables),
                    CallOutcome.NO_RESPONSE,
                    reason="no response",
                )
            else:
                self.away_prompts += 1
                self.session.say(prompts.still_there())

    def _on_time_limit(self) -> None:
        # SIP cuts the line at CALL_MAX_DURATION; a goodbye first is kinder than a dead line
        if not self.closing:
            self.end_with(prompts.time_limit_goodbye(), CallOutcome.FINISHED, reason="time limit")

    def _on_error(self, event: ErrorEvent) -> None:
        recoverable = getattr(event.error, "recoverable", True)
        if recoverable or self.closing:
            return
        logger.error("unrecoverable %s error: %s", type(event.source).__name__, event.error, extra=self._log)
        provider_alerts.report(event.error)
        # the TTS may still work when the LLM failed: apologise, then close and hang up ourselves
        # (the session itself only closes after several such errors, and then cuts any speech)
        self.end_with(prompts.apology(), CallOutcome.DROPPED, reason="error")

    def _on_close(self, event: CloseEvent) -> None:
        if event.error is not None:
            logger.error("session closed on error: %s", event.error, extra=self._log)
            provider_alerts.report(event.error)
        self.close_reason = self.close_reason or event.reason.value
        self._spawn(self.finish(), "voiceworker-finish")
        if (ctx := get_job_context(required=False)) is not None:
            ctx.shutdown(reason=f"session closed: {event.reason.value}")

    async def on_job_shutdown(self, reason: str) -> None:
        """Job shutdown callback: the last chance to close the survey, whatever happened."""
        if self._time_limit is not None:
            self._time_limit.cancel()
        if self._session is None:
            return  # the call never went live: the dialer and the webhooks record it
        await self.wait_finished()
        self.close_reason = self.close_reason or reason
        await self.finish()
        # final usage: a request still in flight when the goodbye started is counted too
        await self._store_final_usage()
        await self._transcript.aclose()

    async def wait_finished(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- usage -------------------------------------------------------------------------------

    def usage(self) -> CallUsage:
        seconds = 0 if self._started_at is None else round(time.monotonic() - self._started_at)
        tokens, stt_seconds, tts_chars = 0, 0.0, 0
        for item in self._session.usage.model_usage if self._session is not None else ():
            if isinstance(item, LLMModelUsage):
                tokens += item.input_tokens + item.output_tokens
            elif isinstance(item, STTModelUsage):
                stt_seconds += item.audio_duration
            elif isinstance(item, TTSModelUsage):
                tts_chars += item.characters_count
        return CallUsage(
            seconds=seconds,
            llm_tokens=tokens,
            llm_model=self.job.llm_model,
            stt_seconds=stt_seconds,
            tts_characters=tts_chars,
            close_reason=self.close_reason,
        )

    async def _store_final_usage(self) -> None:
        if not self.finished:
            return
        try:
            await persistence.run_db(
                persistence.close_call,
                self.job.encuesta_id,
                self.job.call_id,
                self.outcome or CallOutcome.DROPPED,
                self.usage(),
            )
        except Exception:
            logger.exception("could not store the final usage", extra=self._log)

    # --- answers -------------------------------------------------------------------------------

    def next_question(self) -> Question | None:
        return next((q for q in self.job.questionnaire if q.key not in self.answers), None)

    async def save_answers(self, raw_arguments: Mapping[str, Any]) -> tuple[bool, str]:
        """(saved, message for the model). Nothing is written when one answer is bad."""
        # optional properties may come back as null: they are "not answered", not an answer
        answers = {key: value for key, value in raw_arguments.items() if value not in (None, "")}
        if not answers:
            return False, _("No se ha guardado nada: no se ha recibido ninguna respuesta.")
        try:
            saved = await persistence.run_db(persistence.save_answers, self.job.encuesta_id, answers)
        except ValidationError as exc:
            return False, _("Error: no se ha guardado nada. %(errors)s Vuelve a hacer la pregunta.") % {
                "errors": _validation_text(exc)
            }
        except Exception:
            logger.exception("could not save answers", extra=self._log)
            return False, _("Error: no se han podido guardar las respuestas ahora mismo.")
        self.answers.update(saved)
        return True, _("Guardado: %(answers)s.") % {
            "answers": ", ".join(f"{k}={v}" for k, v in saved.items())
        }

    async def opt_out(self) -> None:
        """Recorded before the goodbye: a call dropped now must not lose the refusal."""
        self.opted_out = True
        self.outcome = CallOutcome.OPT_OUT
        try:
            await persistence.run_db(persistence.opt_out_now, self.job.encuesta_id)
        except Exception:
            logger.exception("could not record the opt-out; the close will retry it", extra=self._log)

    async def fail(self, reason: str) -> None:
        """The call never went live for the agent: record it failed (the survey follows)."""
        if self.job.call_id is None:
            return
        try:
            await persistence.run_db(persistence.fail_call, self.job.call_id, reason)
        except Exception:
            logger.exception("could not record the failed call", extra=self._log)

    async def mark_answered(self) -> None:
        if self.job.call_id is None:
            return
        try:
            await persistence.run_db(persistence.mark_answered, self.job.call_id)
        except Exception:
            logger.exception("could not mark the call as answered", extra=self._log)

    # --- ending --------------------------------------------------------------------------------

    def end_with(self, text: str, outcome: CallOutcome, *, reason: str) -> None:
        """Say ``text`` (uninterruptible), then close the survey and hang up. Once per call."""
        if self.closing:
            return
        self.closing = True
        self.outcome = self.outcome or outcome
        self.close_reason = self.close_reason or reason
        handle = None
        if text:
            try:
                handle = self.session.say(text, allow_interruptions=False)
            except RuntimeError:
                # the session is already closing: hang up without the words
                logger.warning("could not say the goodbye; hanging up", extra=self._log)

        async def after_goodbye() -> None:
            if handle is not None:
                await handle.wait_for_playout()
            await self.finish()
            await self.hang_up(reason)

        self._spawn(after_goodbye(), "voiceworker-end")

    async def finish(self) -> bool:
        """Close the survey and the call exactly once; True when (already) done."""
        async with self._finish_lock:
            if self.finished:
                return True
            try:
                await self._transcript.flush()
                status = await persistence.run_db(
                    persistence.close_call,
                    self.job.encuesta_id,
                    self.job.call_id,
                    self.outcome or CallOutcome.DROPPED,
                    self.usage(),
                )
            except Exception:
                logger.exception("could not close the survey", extra=self._log)
                return False
            logger.info("survey closed as %s (%s)", status, self.outcome, extra=self._log)
            self.finished = True
            return True

    async def hang_up(self, reason: str) -> None:
        """End the call for everyone: deleting the room disconnects the SIP participant."""
        ctx = get_job_context(required=False)
        if ctx is None:
            logger.warning("no job context to hang up; closing the session only", extra=self._log)
            if self._session is not None:
                self._session.shutdown()
            return
        grace = settings.VOICE_HANGUP_GRACE_SECONDS
        if grace > 0:
            # playout is measured when audio leaves the agent; let the last words cross the network
            await asyncio.sleep(grace)
        try:
            await ctx.delete_room()
        except Exception:
            logger.exception("could not delete the room; ending the job anyway", extra=self._log)
        ctx.shutdown(reason=reason)
