from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from calls.models import Campaign, Lead
from calls.services.campaign_dispatch import campaigns_dispatch
from calls.services.campaigns import LeadRow, campaign_create, campaign_start, leads_bulk_create

ALWAYS_OPEN = {str(day): [["00:00", "24:00"]] for day in range(7)}


@pytest.fixture(scope="session")
def phone_server():
    from telephony.testing.phones import PhoneLiveKitServer

    with PhoneLiveKitServer() as server:
        yield server


@pytest.fixture
def phones(phone_server, settings):
    """The LiveKit test server with programmable phones; the app's settings point at it."""
    phone_server.reset_faults()
    phone_server.reset_state()
    phone_server.reset_phones()
    phone_server.clear()
    settings.LIVEKIT_URL = phone_server.url
    settings.LIVEKIT_API_KEY = phone_server.api_key
    settings.LIVEKIT_API_SECRET = phone_server.api_secret
    settings.TELEPHONY_BACKEND = "livekit"
    settings.CALL_DIAL_MAX_RETRIES = 1
    yield phone_server
    phone_server.reset_faults()


@pytest.fixture
def make_campaign(db, voice_agent, telephony_config):
    def make(
        phones: Sequence[str] = (), *, start: bool = True, regions: dict[str, str] | None = None, **fields
    ) -> Campaign:
        defaults = {
            "calling_window": ALWAYS_OPEN,
            "skip_holidays": False,
            "max_concurrent_calls": 50,
            "calls_per_second": 100.0,
            "max_attempts": 3,
            "retry_delay_busy": timedelta(minutes=30),
            "retry_delay_no_answer": timedelta(hours=2),
            "retry_delay_voicemail": timedelta(hours=4),
            "retry_delay_failed": timedelta(minutes=10),
            "retry_delay_dropped": timedelta(minutes=15),
        }
        campaign = campaign_create(
            name="Campaña de prueba", voice_agent=voice_agent, **{**defaults, **fields}
        )
        regions = regions or {}
        leads_bulk_create(
            campaign_id=campaign.pk,
            rows=[
                LeadRow(phone=p, customer_name=f"Cliente {p[-3:]}", region=regions.get(p, "")) for p in phones
            ],
        )
        if start:
            campaign = campaign_start(campaign_id=campaign.pk)
        return campaign

    return make


def lead(phone: str) -> Any:
    """The lead of a phone, read loosely (Any): tests reach into its optional survey and call freely."""
    return Lead.objects.select_related("encuesta").get(phone=phone)


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return campaigns_dispatch(now=now)

    return run
