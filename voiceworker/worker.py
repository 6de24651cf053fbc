"""The LiveKit AgentServer and the job entrypoint.

Every job runs in its own process, which imports this module again: Django is set up first
(voiceworker.django_setup), then the plugins are imported at module level on that process's main
thread, as livekit-agents requires.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from livekit import rtc
from livekit.agents import AMD, AgentServer, AgentSession, JobContext, JobProcess, room_io

import voiceworker.django_setup  # noqa: F401  (must run before anything imports models)
from calls.services import CallOutcome
from voiceworker import persistence, pipeline, prompts, summary
from voiceworker.agent import MACHINE_CATEGORIES, SurveyAgent
from voiceworker.call import SurveyCall
from voiceworker.metadata import MetadataError, parse_metadata
from voiceworker.providers import setting_value

logger = logging.getLogger(__name__)

# The console has no dispatch: runvoiceworker console --encuesta N passes the job's metadata here.
CONSOLE_METADATA_ENV = "VOICEWORKER_CONSOLE_METADATA"
SIP_CALL_STATUS = "sip.callStatus"
SIP = rtc.ParticipantKind.PARTICIPANT_KIND_SIP
# a wedged session must not keep the callee on the line: past this, hang up without the words
APOLOGY_TIMEOUT_SECONDS = 20.0


def answer_timeout() -> float:
    # Defaults to the dialer's CALL_RINGING_TIMEOUT plus room for dial retries before it rings.
    return float(settings.VOICE_ANSWER_TIMEOUT_SECONDS)


async def wait_until_answered(room: rtc.Room, timeout: float) -> rtc.RemoteParticipant | None:
    """The SIP participant once the callee picks up; None if the call ends or never connects.

    LiveKit adds the SIP participant while it dials and sets ``sip.callStatus`` to "active" on
    answer. A participant without that attribute is taken as answered (older SIP servers only
    add it then).
    """
    answered: asyncio.Future[rtc.RemoteParticipant | None] = asyncio.get_running_loop().create_future()

    def settle(result: rtc.RemoteParticipant | None) -> None:
        if not answered.done():
            answered.set_result(result)

    def consider(participant: rtc.RemoteParticipant) -> None:
        if participant.kind != SIP:
            return
        status = participant.attributes.get(SIP_CALL_STATUS)
        if status in (None, "", "active"):
            settle(participant)
        elif status == "hangup":
            settle(None)

    def on_attributes(_changed: dict[str, str], participant: rtc.RemoteParticipant) -> None:
        consider(participant)

    def on_disconnected(participant: rtc.RemoteParticipant) -> None:
        if participant.kind == SIP:
            settle(None)

    room.on("participant_connected", consider)
    room.on("participant_attributes_changed", on_attributes)
    room.on("participant_disconnected", on_disconnected)
    try:
        for participant in list(room.remote_participants.values()):
            consider(participant)
        return await asyncio.wait_for(answered, timeout)
    except TimeoutError:
        return None
    finally:
        room.off("participant_connected", consider)
        room.off("participant_attributes_changed", on_attributes)
        room.off("participant_disconnected", on_disconnected)


def leave_logging_to_livekit() -> None:
    """Drop the root handlers Django's LOGGING installed.

    livekit-agents installs its own (JSON lines in production, and job processes forward their
    records to the worker process); with Django's console handler as well, every line would be
    printed twice, once in each format.
    """
    django_handlers = set(getattr(settings, "LOGGING", {}).get("handlers", {}))
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() in django_handlers:
            root.removeHandler(handler)


def prewarm(proc: JobProcess) -> None:
    leave_logging_to_livekit()
    proc.userdata["vad"] = pipeline.load_vad()


async def entrypoint(ctx: JobContext) -> None:
    fake = ctx.is_fake_job()
    raw = ctx.job.metadata or (os.environ.get(CONSOLE_METADATA_ENV, "") if fake else "")
    try:
        meta = parse_metadata(raw, require_call=not fake)
        job = await persistence.run_db(persistence.load_job, meta)
    except MetadataError as exc:
        logger.error("refusing job %s in room %s: %s", ctx.job.id, ctx.job.room.name, exc)
        ctx.shutdown(reason="invalid metadata")
        return
    except Exception:
        logger.exception("could not load job %s", ctx.job.id)
        ctx.shutdown(reason="could not load job")
        return

    ctx.log_context_fields = {"encuesta_id": job.encuesta_id, "call_id": job.call_id}
    if ctx.job.agent_name and job.dispatch_name != ctx.job.agent_name:
        logger.warning(
            "agent %s is configured for dispatch name %r but was dispatched as %r",
            job.agent_name,
            job.dispatch_name,
            ctx.job.agent_name,
        )

    call = SurveyCall(job)

    async def on_shutdown(reason: str) -> None:
        # one callback, in order: livekit-agents runs shutdown callbacks concurrently, and the
        # summary reads the transcript the close flushes
        await call.on_job_shutdown(reason)
        await summary.summarize_call(job)

    ctx.add_shutdown_callback(on_shutdown)
    try:
        session = pipeline.build_session(job.pipeline, vad_model=ctx.proc.userdata.get("vad"))
    except Exception:
        logger.exception("could not build the pipeline for agent %s", job.agent_name)
        await call.fail(_("El agente no pudo preparar la voz de la llamada."))
        await _abandon(ctx, call, "pipeline error")
        return

    if fake:
        call.attach(session)
        await session.start(agent=SurveyAgent(call))
        return
    try:
        await ctx.connect()
        participant = await wait_until_answered(ctx.room, answer_timeout())
    except Exception:
        logger.exception("could not join the call's room")
        # nothing can be said without the room: end the call and record why
        await call.fail(_("El agente no pudo entrar en la sala de la llamada."))
        await _abandon(ctx, call, "connect failed")
        return
    if participant is None:
        # unanswered calls are the dialer's to record (no_answer, busy, ...)
        logger.info("call was not answered; leaving")
        ctx.shutdown(reason="not answered")
        return
    await call.mark_answered()
    use_amd = settings.VOICE_AMD_ENABLED
    agent = SurveyAgent(call, greet_on_enter=not use_amd)
    try:
        call.attach(session)
        await session.start(
            agent=agent,
            room=ctx.room,
            room_options=room_io.RoomOptions(
                participant_kinds=[SIP],
                participant_identity=participant.identity,
                # an error close or a crash must not leave the callee on a silent line
                delete_room_on_close=True,
            ),
        )
        if use_amd:
            await detect_answerer(session, agent, participant.identity)
    except Exception:
        logger.exception("the call failed")
        await _abandon(ctx, call, "crash")


async def detect_answerer(session: AgentSession, agent: SurveyAgent, identity: str) -> None:
    """Hold the greeting until answering-machine detection says who picked up."""
    category = "uncertain"
    try:
        async with AMD(session, llm=None, stt=None, participant_identity=identity) as detector:
            category = (await detector.execute()).category.value
    except Exception:
        logger.exception("answering-machine detection failed; greeting anyway")
    await on_answerer(agent, category)


async def on_answerer(agent: SurveyAgent, category: str) -> None:
    try:
        await persistence.run_db(persistence.record_amd, agent.call.job.encuesta_id, category)
    except Exception:
        logger.exception("could not store the AMD category")
    if category in MACHINE_CATEGORIES:
        agent.on_machine(category)
    else:
        agent.greet()


async def _abandon(ctx: JobContext, call: SurveyCall, reason: str) -> None:
    """The agent cannot go on: apologise if it still can, end the call for the callee too, and
    close the survey (here, or in the job's shutdown callback once a session is attached)."""
    call.close_reason = call.close_reason or reason
    if call.attached:
        # the usual ending: the apology (skipped if the session cannot speak), close, hang up
        call.end_with(prompts.apology(), CallOutcome.DROPPED, reason=reason)
        try:
            await asyncio.wait_for(call.wait_finished(), APOLOGY_TIMEOUT_SECONDS)
            return
        except TimeoutError:
            logger.warning("the apology did not finish playing; hanging up")
    try:
        await ctx.delete_room()
    except Exception:
        logger.exception("could not delete the room")
    ctx.shutdown(reason=reason)


class SurveyAgentServer(AgentServer):
    """An AgentServer that remembers why it stopped: the CLI logs the error and exits 0."""

    failure: BaseException | None = None

    async def run(self, *args: Any, **kwargs: Any) -> None:
        try:
            await super().run(*args, **kwargs)
        except Exception as exc:
            self.failure = exc
            raise


def build_server(*, agent_name: str, port: int | None = None) -> SurveyAgentServer:
    """``port`` is the health server's (None: the library's 8081 in production, 0: any free one)."""
    options: dict[str, Any] = {} if port is None else {"port": port}
    server = SurveyAgentServer(
        ws_url=setting_value("LIVEKIT_URL") or None,
        api_key=setting_value("LIVEKIT_API_KEY") or None,
        api_secret=setting_value("LIVEKIT_API_SECRET") or None,
        setup_fnc=prewarm,
        # the library backs off up to 10 s between attempts: 16 attempts take about 2 minutes
        max_retry=settings.VOICE_CONNECT_MAX_RETRY,
        # above it the worker answers job requests "not available" and LiveKit asks another one
        load_threshold=settings.VOICE_WORKER_LOAD_THRESHOLD,
        **options,
    )
    server.rtc_session(entrypoint, agent_name=agent_name)
    return server
