"""The voice worker turns a provider's refusal into an alert for staff, without the key."""

import asyncio
import time

import pytest
from livekit.agents import APIConnectionError, APIStatusError
from livekit.agents.llm import LLMError

from calls.models import Alert
from voiceworker import provider_alerts


def _llm_error(status: int) -> LLMError:
    body = {"error": "Invalid API Key sk-live-SECRET123"}
    return LLMError(
        timestamp=time.time(),
        label="livekit.plugins.openai.LLM",
        error=APIStatusError("Invalid API Key sk-live-SECRET123", status_code=status, body=body),
        recoverable=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_rejected_key_closing_the_session_raises_an_alert_without_the_key():
    async def close_with_error() -> None:
        provider_alerts.report(_llm_error(401))
        await asyncio.gather(*provider_alerts._pending)

    asyncio.run(close_with_error())

    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.PROVIDER_KEY_REJECTED
    assert "livekit.plugins.openai.LLM" in alert.message
    assert "401" in alert.message
    assert "SECRET" not in alert.message


@pytest.mark.django_db
def test_rate_limits_are_api_limit_alerts_and_other_errors_none():
    alert = provider_alerts.raise_for_error(_llm_error(429))
    assert isinstance(alert, Alert) and alert.kind == Alert.Kind.API_LIMIT
    assert provider_alerts.raise_for_error(_llm_error(500)) is None
    assert provider_alerts.raise_for_error(APIConnectionError("timeout")) is None
    assert Alert.objects.count() == 1
