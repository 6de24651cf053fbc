"""The admin's "Llamar…" page: redirect after POST, one call per number, open surveys need consent."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages

from calls.models import Call, Encuesta
from calls.roles import OPERADOR
from calls.services import calls_request_many
from calls.services.dialing import OpenContactError
from tests.factories import CallFactory, EncuestaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    user = UserFactory(username="operadora", is_staff=True)
    user.groups.add(Group.objects.get(name=OPERADOR))
    client.force_login(user)
    return client


@pytest.fixture
def page(livekit, telephony_config, voice_agent):
    return f"/admin/calls/call/place/?agent={voice_agent.pk}"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_post_redirects_and_refreshing_the_result_dials_nothing_more(
    operator_client, page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(page, {"numbers": "+34621151394, Ana\n621151395"})

    assert response.status_code in (302, 303)
    assert response["Location"] == page
    result = operator_client.get(response["Location"])
    assert result.status_code == 200
    html = result.content.decode()
    assert "2 llamadas en cola: +34621151394, 621151395." in html
    assert operator_client.get(response["Location"]).status_code == 200
    assert Call.objects.count() == 2


def test_same_number_twice_in_a_batch_is_dialled_once(
    operator_client, page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(page, {"numbers": "+34621151394, Ana\n621 15 13 94, Ana otra vez"})

    assert Call.objects.filter(to_number="+34621151394").count() == 1
    assert Encuesta.objects.get().nombre_cliente == "Ana"
    assert "Números repetidos en la lista, marcados una sola vez: 621 15 13 94." in _messages(response)


def test_the_service_deduplicates_for_every_caller(livekit, telephony_config, voice_agent):
    results = calls_request_many(
        agent=voice_agent, rows=[("+34621151394", ""), ("0034621151394", ""), ("+34621151395", "")]
    )

    assert Call.objects.count() == 2
    assert [r.phone for r in results if r.duplicate] == ["0034621151394"]


def test_number_with_an_open_survey_is_refused_until_confirmed(
    operator_client, page, django_capture_on_commit_callbacks
):
    EncuestaFactory(telefono="+34621151394", status=Encuesta.Status.PENDING)
    CallFactory(encuesta__telefono="+34621151396", status=Call.Status.RINGING)
    EncuestaFactory(telefono="+34621151397", status=Encuesta.Status.COMPLETED)
    numbers = "621151394\n+34621151395\n+34621151396\n+34621151397"

    refused = operator_client.post(page, {"numbers": numbers})

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Estos números ya tienen una encuesta o una llamada abierta: +34621151394, +34621151396." in html
    assert 'name="allow_open"' in html
    assert "Llamar igualmente" in html
    assert Call.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = operator_client.post(page, {"numbers": numbers, "allow_open": "on"})

    assert confirmed.status_code in (302, 303)
    assert Call.objects.count() == 5
    assert Encuesta.objects.filter(telefono="+34621151394").count() == 2


def test_the_service_refuses_open_numbers_without_allow_open(livekit, telephony_config, voice_agent):
    EncuestaFactory(telefono="+34621151394", status=Encuesta.Status.IN_PROGRESS)

    with pytest.raises(OpenContactError) as refused:
        calls_request_many(agent=voice_agent, rows=[("+34621151395", ""), ("621151394", "")])

    assert refused.value.phones == ["+34621151394"]
    assert not Call.objects.exists()
    calls_request_many(agent=voice_agent, rows=[("621151394", "")], allow_open=True)
    assert Call.objects.count() == 1
