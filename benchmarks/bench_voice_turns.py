"""Latency of a plain turn vs an answer turn, with the real openai plugin and a 250 ms TTFT.

    .venv/bin/python benchmarks/bench_voice_turns.py [-n 20] [--ttft 0.25]

The worker's real entrypoint runs a survey in text mode (no STT/TTS: only the LLM round trips and
the database are measured) against the local OpenAI-compatible server of voiceworker.testing,
which waits --ttft seconds before its first token. On the database of DATABASE_URL (default
SQLite in memory), in its test database (created or reused with keepdb; real data is never
touched). Each sample runs from the customer's words to the agent's next words:

  plain   the model answers with text (one request);
  answer  the model saves the answer with guardar_encuesta and the next question is read out.

Goal (issue 12): answer turn <= 1.1 x plain turn. Before, an answer cost a second request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.bench_support import percentile  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

WARMUP = 3


async def run_turns(metadata: str, server, n: int) -> dict[str, list[float]]:
    from livekit.agents import AgentSession
    from livekit.agents.testing import fake_job_context

    from voiceworker import pipeline, worker
    from voiceworker.testing.openai_server import call, say

    def text_session(spec: Any, vad_model: Any = None) -> AgentSession:
        return AgentSession(llm=pipeline.build_llm(spec), vad=None, turn_handling={"turn_detection": None})

    pipeline.build_session = text_session
    samples: dict[str, list[float]] = {"plain": [], "answer": []}

    async def no_room(*_args: Any, **_kwargs: Any) -> None:
        return None

    with fake_job_context(job_metadata=metadata) as job_ctx:
        job_ctx.delete_room = no_room  # type: ignore[method-assign,assignment]
        await worker.entrypoint(job_ctx)
        session = job_ctx.primary_session
        if session.current_speech is not None:
            await session.current_speech
        spoken: asyncio.Queue[float] = asyncio.Queue()

        def on_item(event) -> None:
            if getattr(event.item, "role", None) == "assistant":
                spoken.put_nowait(time.perf_counter())

        session.on("conversation_item_added", on_item)

        async def turn(kind: str, record: bool) -> None:
            reply = (
                say("Perfecto. ¿Me dice su nota?")
                if kind == "plain"
                else call("guardar_encuesta", comercial=8)
            )
            server.script(reply)
            started = time.perf_counter()
            await session.run(user_input="Un ocho" if kind == "answer" else "Vale")
            said_at = await asyncio.wait_for(spoken.get(), 30)
            for _ in range(20):  # let the follow-up speech (the next question) finish
                if session.current_speech is not None:
                    await session.current_speech
                await asyncio.sleep(0.005)
            while not spoken.empty():
                spoken.get_nowait()
            if record:
                samples[kind].append((said_at - started) * 1000)

        for i in range(WARMUP):
            await turn("plain" if i % 2 else "answer", record=False)
        for _ in range(n):
            await turn("plain", record=True)
            await turn("answer", record=True)
        await session.aclose()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--ttft", type=float, default=0.25)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    from agents_app.services import voice_agent_create_from_template
    from calls.models import Call
    from calls.services import encuesta_create
    from tests.factories import CallFactory
    from voiceworker.metadata import JobMetadata
    from voiceworker.testing.openai_server import OpenAICompatibleServer

    agent = voice_agent_create_from_template(template_key="calidad", name=f"bench-{time.time_ns()}")
    encuesta = encuesta_create(phone="+34621151394", voice_agent=agent, customer_name="Bench")
    call_row = CallFactory(encuesta=encuesta, status=Call.Status.IN_PROGRESS)
    metadata = JobMetadata(encuesta_id=encuesta.pk, voice_agent_id=agent.pk, call_id=call_row.pk).to_json()
    try:
        with (
            OpenAICompatibleServer(ttft=args.ttft) as server,
            override_settings(
                LLM_BASE_URL=server.base_url,
                OPENAI_API_KEY="sk-bench",
                VOICE_HANGUP_GRACE_SECONDS=0,
                VOICE_SUMMARY_ENABLED=False,
            ),
        ):
            samples = asyncio.run(run_turns(metadata, server, args.n))
    finally:
        agent.delete()
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)

    print(
        f"Voice turn latency, real openai plugin, local LLM server TTFT {args.ttft * 1000:.0f} ms, n={args.n}"
    )
    print(f"database: {connection.vendor}")
    for kind, values in samples.items():
        print(
            f"  {kind:<7} median {statistics.median(values):7.1f} ms   p90 {percentile(values, 90):7.1f} ms"
            f"   min {min(values):7.1f} ms"
        )
    ratio = statistics.median(samples["answer"]) / statistics.median(samples["plain"])
    print(f"  answer / plain (median): {ratio:.2f}  (goal <= 1.10)")


if __name__ == "__main__":
    main()
