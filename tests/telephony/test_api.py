import pytest

from telephony.models import TelephonyConfig
from tests.factories import TelephonyConfigFactory

pytestmark = pytest.mark.django_db

URL = "/api/telephony/config"
FRONTEND_CONFIG = {"provider": "LCR", "fromNumbers": "+34944771453,+34911222333"}


def test_get_before_any_config_is_404(api_client):
    response = api_client.get(URL)

    assert response.status_code == 404
    assert response.json()["detail"]


def test_first_post_creates_the_default_config(api_client):
    response = api_client.post(URL, FRONTEND_CONFIG, format="json")

    assert response.status_code == 201
    body = response.json()
    config = TelephonyConfig.objects.get()
    assert body["id"] == config.pk
    assert body["provider"] == "LCR"
    assert body["fromNumbers"] == FRONTEND_CONFIG["fromNumbers"]
    assert body["fromNumbersList"] == ["+34944771453", "+34911222333"]
    assert config.is_default is True
    assert config.from_numbers == ["+34944771453", "+34911222333"]


def test_second_post_updates_the_same_config(api_client):
    api_client.post(URL, FRONTEND_CONFIG, format="json")

    response = api_client.post(URL, {"provider": "Otro", "fromNumbers": "944 77 14 53"}, format="json")

    assert response.status_code == 200
    config = TelephonyConfig.objects.get()
    assert (config.provider, config.from_numbers) == ("Otro", ["+34944771453"])
    assert response.json()["fromNumbers"] == "+34944771453"


def test_get_returns_the_default_config_as_the_frontend_sent_it(api_client):
    api_client.post(URL, FRONTEND_CONFIG, format="json")

    response = api_client.get(URL)

    assert response.status_code == 200
    assert {key: response.json()[key] for key in FRONTEND_CONFIG} == FRONTEND_CONFIG


def test_get_ignores_configs_that_are_not_the_default(api_client):
    TelephonyConfigFactory(name="Secundaria", is_default=False)
    default = TelephonyConfigFactory(name="Principal", is_default=True)

    assert api_client.get(URL).json()["id"] == default.pk


def test_invalid_number_is_400_naming_it_and_nothing_is_created(api_client):
    response = api_client.post(URL, {"provider": "LCR", "fromNumbers": "+34944771453,12345"}, format="json")

    assert response.status_code == 400
    assert "12345" in " ".join(response.json()["fromNumbers"])
    assert not TelephonyConfig.objects.exists()


def test_invalid_number_on_update_changes_nothing(api_client):
    api_client.post(URL, FRONTEND_CONFIG, format="json")

    response = api_client.post(URL, {"provider": "Otro", "fromNumbers": "+34 999"}, format="json")

    assert response.status_code == 400
    assert "+34 999" in " ".join(response.json()["fromNumbers"])
    config = TelephonyConfig.objects.get()
    assert (config.provider, config.from_numbers) == ("LCR", ["+34944771453", "+34911222333"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fromNumbers": "+34944771453"}, "provider"),
        ({"provider": "LCR"}, "fromNumbers"),
        ({"provider": "LCR", "fromNumbers": 34944771453}, "fromNumbers"),
        ({**FRONTEND_CONFIG, "maxConcurrentCalls": 0}, "maxConcurrentCalls"),
    ],
    ids=["no-provider", "no-numbers", "numbers-not-text", "zero-concurrency"],
)
def test_bad_input_is_400_and_writes_nothing(api_client, payload, field):
    response = api_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    assert not TelephonyConfig.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_requires_authentication(anon_client, method):
    response = getattr(anon_client, method)(URL, FRONTEND_CONFIG, format="json")

    assert response.status_code == 401
    assert not TelephonyConfig.objects.exists()
