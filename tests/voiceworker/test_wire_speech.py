"""The real `deepgram` and `cartesia` plugins, built by the worker's pipeline from an agent,
against local servers speaking their wire protocols: what a call would really send."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from livekit import rtc
from livekit.agents import stt
from livekit.agents.utils import http_context

from agents_app.services import voice_agent_create_from_template
from voiceworker import pipeline
from voiceworker.providers import PipelineSpec
from voiceworker.testing.speech_servers import CartesiaServer, DeepgramServer, silence

pytestmark = pytest.mark.django_db

SPANISH_VOICE = "0e5e5e5e-0000-4000-8000-00000000e5e5"


@pytest.fixture
def spec(provider_settings) -> PipelineSpec:
    provider_settings.VOICE_DEFAULT_VOICE_IDS = {"es": SPANISH_VOICE}
    return PipelineSpec.from_agent(voice_agent_create_from_template(template_key="calidad"))


@pytest.fixture
def cartesia_server(provider_settings) -> Iterator[CartesiaServer]:
    with CartesiaServer() as server:
        provider_settings.CARTESIA_BASE_URL = server.base_url
        yield server


@pytest.fixture
def deepgram_server(provider_settings) -> Iterator[DeepgramServer]:
    with DeepgramServer(["Le pongo un ocho"]) as server:
        provider_settings.DEEPGRAM_BASE_URL = server.base_url
        yield server


def test_the_greeting_is_synthesised_in_spanish_with_the_agents_spanish_voice(
    spec: PipelineSpec, cartesia_server: CartesiaServer
):
    async def scenario() -> int:
        async with http_context.open():  # what a job provides to the plugins
            return await synthesise()

    async def synthesise() -> int:
        tts = pipeline.build_tts(spec)
        stream = tts.stream()
        stream.push_text("Hola Ana. Soy un asistente automático. ¿Tiene un minuto?")
        stream.end_input()
        samples = 0
        async for audio in stream:
            samples += audio.frame.samples_per_channel
        await stream.aclose()
        await tts.aclose()
        return samples

    samples = asyncio.run(scenario())

    assert samples > 0
    sent = [r for r in cartesia_server.requests if r.transport == "websocket"]
    assert sent and all(r.api_key == "ca-test" for r in sent)
    first = sent[0].body
    # Cartesia's default voice is English: the agent's own voice must travel with every request
    assert first["voice"] == {"mode": "id", "id": SPANISH_VOICE}
    assert first["language"] == "es"
    assert first["model_id"] == "sonic-3"
    assert first["output_format"] == {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000}
    assert "asistente automático" in "".join(r.body["transcript"] for r in sent)


def test_a_single_phrase_goes_through_the_bytes_endpoint_with_the_same_voice(
    spec: PipelineSpec, cartesia_server: CartesiaServer
):
    async def scenario() -> None:
        async with http_context.open():
            await synthesise()

    async def synthesise() -> None:
        tts = pipeline.build_tts(spec)
        async with tts.synthesize("¿Sigue ahí?") as chunked:
            async for _audio in chunked:
                pass
        await tts.aclose()

    asyncio.run(scenario())
    request = cartesia_server.requests[-1]
    assert request.transport == "bytes"
    assert request.body["voice"]["id"] == SPANISH_VOICE and request.body["language"] == "es"


def test_the_callers_audio_is_transcribed_in_spanish_with_nova_3(
    spec: PipelineSpec, deepgram_server: DeepgramServer
):
    async def scenario() -> str:
        async with http_context.open():
            return await transcribe()

    async def transcribe() -> str:
        recognizer = pipeline.build_stt(spec)
        stream = recognizer.stream()
        pcm = silence(16000, 0.2)
        for _ in range(5):
            stream.push_frame(
                rtc.AudioFrame(pcm, sample_rate=16000, num_channels=1, samples_per_channel=len(pcm) // 2)
            )
        text = ""
        async for event in stream:
            if event.type == stt.SpeechEventType.FINAL_TRANSCRIPT:
                text = event.alternatives[0].text
                break
        await stream.aclose()
        await recognizer.aclose()
        return text

    assert asyncio.run(scenario()) == "Le pongo un ocho"
    session = deepgram_server.sessions[0]
    assert session.auth == "Token dg-test"
    assert session.query["model"] == "nova-3"
    assert session.query["language"] == "es"
    assert session.query["sample_rate"] == "16000"
    assert session.query["encoding"] == "linear16"
    assert session.audio_bytes > 0
