import pytest
from django.urls import reverse

from telephony.models import TelephonyConfig
from tests.factories import TelephonyConfigFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:telephony_telephonyconfig_add")


def form_data(**overrides) -> dict:
    return {
        "name": "Principal",
        "provider": "LCR",
        "from_numbers_text": "+34944771453, 911 22 23 33",
        "sip_trunk_id": "ST_abc",
        "sip_address": "sip.example.com",
        "sip_auth_username": "",
        "sip_auth_password": "",
        "max_concurrent_calls": "5",
        **overrides,
    }


def test_changelist_renders(admin_client_logged):
    TelephonyConfigFactory(name="Principal", from_numbers=["+34944771453", "+34911222333"])

    response = admin_client_logged.get(reverse("admin:telephony_telephonyconfig_changelist"))

    assert response.status_code == 200
    assert "+34944771453, +34911222333" in response.content.decode()


def test_add_form_renders(admin_client_logged):
    response = admin_client_logged.get(ADD_URL)

    assert response.status_code == 200
    assert 'name="from_numbers_text"' in response.content.decode()


def test_change_form_renders_numbers_as_text_and_hides_the_password(admin_client_logged):
    config = TelephonyConfigFactory(from_numbers=["+34944771453"], sip_auth_password="secreta-sip")

    response = admin_client_logged.get(reverse("admin:telephony_telephonyconfig_change", args=[config.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="+34944771453"' in content
    assert "secreta-sip" not in content


def test_add_form_stores_numbers_in_e164_and_makes_the_first_config_default(admin_client_logged):
    response = admin_client_logged.post(ADD_URL, form_data())

    assert response.status_code == 302
    config = TelephonyConfig.objects.get()
    assert config.from_numbers == ["+34944771453", "+34911222333"]
    assert config.is_default is True


def test_add_form_with_an_invalid_number_shows_the_error(admin_client_logged):
    response = admin_client_logged.post(ADD_URL, form_data(from_numbers_text="+34944771453, 12345"))

    assert response.status_code == 200
    assert "12345" in " ".join(response.context["adminform"].form.errors["from_numbers_text"])
    assert not TelephonyConfig.objects.exists()


def test_change_form_with_empty_password_keeps_the_current_one(admin_client_logged):
    config = TelephonyConfigFactory(sip_auth_password="secreta-sip", from_numbers=["+34944771453"])

    response = admin_client_logged.post(
        reverse("admin:telephony_telephonyconfig_change", args=[config.pk]),
        form_data(name=config.name, from_numbers_text="621151394"),
    )

    assert response.status_code == 302
    config.refresh_from_db()
    assert config.sip_auth_password == "secreta-sip"
    assert config.from_numbers == ["+34621151394"]


def test_make_default_action_moves_the_default(admin_client_logged):
    TelephonyConfigFactory(name="Vieja", is_default=True)
    new = TelephonyConfigFactory(name="Nueva", is_default=False)

    admin_client_logged.post(
        reverse("admin:telephony_telephonyconfig_changelist"),
        {"action": "make_default", "_selected_action": [new.pk]},
    )

    assert list(TelephonyConfig.objects.filter(is_default=True).values_list("name", flat=True)) == ["Nueva"]
