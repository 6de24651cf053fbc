import pytest
from django.core.exceptions import ValidationError

from telephony.exceptions import TelephonyError
from telephony.services import telephony_config_sync_trunk
from tests.factories import TelephonyConfigFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def config():
    return TelephonyConfigFactory(
        sip_trunk_id="",
        sip_address="sip.lcr.example",
        from_numbers=["+34944771453", "+34911222333"],
        sip_auth_username="agente",
        sip_auth_password="s3cret",
    )


def test_creates_the_trunk_then_updates_it(config, livekit):
    telephony_config_sync_trunk(config=config)
    config.refresh_from_db()
    assert config.sip_trunk_id.startswith("ST_")
    created = livekit.calls("CreateSIPOutboundTrunk")[0].trunk
    assert created.address == "sip.lcr.example"
    assert list(created.numbers) == ["+34944771453", "+34911222333"]
    assert (created.auth_username, created.auth_password) == ("agente", "s3cret")

    config.from_numbers = ["+34944771453"]
    telephony_config_sync_trunk(config=config)
    update = livekit.calls("UpdateSIPOutboundTrunk")[0]
    assert update.sip_trunk_id == config.sip_trunk_id
    assert list(update.replace.numbers) == ["+34944771453"]
    assert len(livekit.trunks()) == 1


def test_missing_address_is_a_validation_error(config, livekit):
    config.sip_address = ""
    with pytest.raises(ValidationError, match="dirección SIP"):
        telephony_config_sync_trunk(config=config)
    assert livekit.requests == []


def test_livekit_error_becomes_a_telephony_error(config, livekit):
    livekit.fail("CreateSIPOutboundTrunk", status=400, code="invalid_argument", msg="bad address")
    with pytest.raises(TelephonyError, match="bad address"):
        telephony_config_sync_trunk(config=config)


def test_admin_action_reports_the_trunk(admin_client_logged, config, livekit):
    response = admin_client_logged.post(
        "/admin/telephony/telephonyconfig/",
        {"action": "sync_trunk", "_selected_action": [config.pk]},
        follow=True,
    )
    config.refresh_from_db()
    assert config.sip_trunk_id in response.content.decode()
