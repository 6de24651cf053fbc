"""Campaign state changes, answer rows, progress, legacy words and two dispatchers at once."""

import threading
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from agents_app.models import SurveyQuestion
from calls.campaign_selectors import (
    campaign_progress,
    campaign_status_from_legacy,
    legacy_campaign_status,
    legacy_lead_status,
)
from calls.models import Call, Campaign, Encuesta, EncuestaAnswer, Lead
from calls.services import encuesta_save
from calls.services.campaign_dispatch import campaigns_dispatch
from calls.services.campaigns import (
    LeadRow,
    campaign_cancel,
    campaign_create,
    campaign_retry_failed,
    campaign_start,
    lead_retry,
    leads_bulk_create,
)
from tests.factories import EncuestaFactory, SurveyQuestionFactory

NUMBERS = [f"+3462115{n:04d}" for n in range(40)]


@pytest.mark.django_db
def test_a_phone_once_per_campaign_and_first_row_wins(make_campaign):
    campaign = make_campaign(start=False)
    created = leads_bulk_create(
        campaign_id=campaign.pk,
        rows=[LeadRow(NUMBERS[0], "Ana"), LeadRow(NUMBERS[1], "Luis"), LeadRow(NUMBERS[0], "Otra")],
        batch_size=2,
    )
    again = leads_bulk_create(campaign_id=campaign.pk, rows=[LeadRow(NUMBERS[1], "Luis")])
    assert (created.created, created.duplicates, again.created, again.duplicates) == (2, 1, 0, 1)
    assert Lead.objects.get(phone=NUMBERS[0]).customer_name == "Ana"


@pytest.mark.django_db
def test_state_machine_refuses_what_the_status_does_not_allow(make_campaign):
    campaign = make_campaign(NUMBERS[:2])
    with pytest.raises(ValidationError):
        campaign_start(campaign_id=campaign.pk)
    assert campaign_cancel(campaign_id=campaign.pk) == 2
    with pytest.raises(ValidationError):
        campaign_cancel(campaign_id=campaign.pk)
    with pytest.raises(ValidationError):
        campaign_retry_failed(campaign_id=campaign.pk)


@pytest.mark.django_db
def test_bad_window_or_time_zone_is_refused(voice_agent):
    with pytest.raises(ValidationError) as error:
        campaign_create(
            name="x", voice_agent=voice_agent, calling_window={"9": []}, time_zone="Marte/Olympus"
        )
    assert set(error.value.message_dict) == {"calling_window", "time_zone"}


@pytest.mark.django_db
def test_retry_failed_and_lead_retry_reopen_a_completed_campaign(make_campaign):
    campaign = make_campaign(NUMBERS[:3])
    Lead.objects.filter(phone=NUMBERS[0]).update(status=Lead.Status.UNREACHABLE, attempts=3)
    Lead.objects.filter(phone=NUMBERS[1]).update(status=Lead.Status.COMPLETED, attempts=1)
    Lead.objects.filter(phone=NUMBERS[2]).update(status=Lead.Status.INCOMPLETE, attempts=3)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.COMPLETED)
    assert campaign_retry_failed(campaign_id=campaign.pk) == 2
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.RUNNING
    assert Lead.objects.get(phone=NUMBERS[0]).attempts == 0
    with pytest.raises(ValidationError):
        lead_retry(lead_id=Lead.objects.get(phone=NUMBERS[1]).pk)


@pytest.mark.django_db
def test_answers_are_rows_in_the_same_save(voice_agent):
    SurveyQuestionFactory(agent=voice_agent, key="nps", type=SurveyQuestion.Type.SCORE)
    SurveyQuestionFactory(agent=voice_agent, key="repetiria", type=SurveyQuestion.Type.YES_NO)
    SurveyQuestionFactory(agent=voice_agent, key="motivo", type=SurveyQuestion.Type.TEXT, required=False)
    encuesta = EncuestaFactory(voice_agent=voice_agent)
    encuesta_save(encuesta_id=encuesta.pk, answers={"nps": "9", "repetiria": "sí", "motivo": "Rápidos"})
    encuesta_save(encuesta_id=encuesta.pk, answers={"nps": 7})
    rows = {
        r.question_key: (r.value_number, r.value_text)
        for r in EncuestaAnswer.objects.filter(encuesta=encuesta)
    }
    assert rows == {"nps": (Decimal(7), ""), "repetiria": (Decimal(1), "sí"), "motivo": (None, "Rápidos")}
    with pytest.raises(ValidationError):
        encuesta_save(encuesta_id=encuesta.pk, answers={"nps": 12})
    assert EncuestaAnswer.objects.get(encuesta=encuesta, question_key="nps").value_number == 7


@pytest.mark.django_db
def test_existing_answers_are_migrated_into_rows():
    from importlib import import_module

    from django.apps import apps

    encuesta = EncuestaFactory(
        respuestas={"comercial": 8, "extra": True}, puntuacion_rapidez=6, comentarios="Bien"
    )
    import_module("calls.migrations.0008_campaigns_answer_rows").forwards(apps, None)
    rows = {
        r.question_key: (r.value_number, r.value_text)
        for r in EncuestaAnswer.objects.filter(encuesta=encuesta)
    }
    assert rows == {
        "comercial": (Decimal(8), ""),
        "extra": (Decimal(1), "sí"),
        "rapidez": (Decimal(6), ""),
        "comentarios": (None, "Bien"),
    }


@pytest.mark.django_db
def test_progress_counts_and_next_opening(make_campaign):
    campaign = make_campaign(NUMBERS[:4], calling_window={"2": [["09:00", "21:00"]]})
    Lead.objects.filter(phone=NUMBERS[0]).update(status=Lead.Status.COMPLETED)
    Lead.objects.filter(phone=NUMBERS[1]).update(status=Lead.Status.CALLING)
    from zoneinfo import ZoneInfo

    tuesday = datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    progress = campaign_progress(campaign=campaign, now=tuesday)
    assert (progress.total, progress.done, progress.percent_done, progress.calls_in_progress) == (
        4,
        1,
        25.0,
        1,
    )
    assert progress.counts[Lead.Status.PENDING] == 2
    assert progress.next_window_opening == datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    assert not progress.window_open_now


def test_legacy_words():
    assert legacy_campaign_status(Campaign.Status.SCHEDULED) == "pending"
    assert legacy_campaign_status(Campaign.Status.RUNNING) == "running"
    assert campaign_status_from_legacy("pending") == Campaign.Status.SCHEDULED
    assert legacy_lead_status(Lead.Status.UNREACHABLE) == "unreached"
    assert legacy_lead_status(Lead.Status.CALLING) == "called"
    assert legacy_lead_status(Lead.Status.OPTED_OUT) == "rejected_opt_out"
    with pytest.raises(KeyError):
        campaign_status_from_legacy("completed")


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_claim_the_same_lead(phones, make_campaign, settings, telephony_config):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database with row locks and concurrent connections (MariaDB)")
    settings.CAMPAIGN_DIALER = "inline"
    telephony_config.max_concurrent_calls = 1000
    telephony_config.save()
    make_campaign(NUMBERS, max_concurrent_calls=1000, calls_per_second=100.0)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            for tick in range(10):
                campaigns_dispatch(now=timezone.now() + timedelta(seconds=tick))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Lead.objects.filter(status=Lead.Status.CALLING).count() == len(NUMBERS)
    assert all(lead.attempts == 1 for lead in Lead.objects.all())
    assert Call.objects.count() == len(NUMBERS)
    assert phones.max_simultaneous_per_number() == 1
    assert set(phones.dials().values()) == {1}
    assert Encuesta.objects.count() == len(NUMBERS)


@pytest.mark.django_db
def test_lead_columns_fill_the_agent_greeting_and_instructions(
    make_campaign, voice_agent, django_capture_on_commit_callbacks, phones
):
    from django.utils import timezone

    from voiceworker.metadata import JobMetadata
    from voiceworker.persistence import load_job
    from voiceworker.prompts import build_instructions, render_greeting

    voice_agent.greeting = "Hola{nombre}, le llamamos por su instalación del {fecha_instalacion}."
    voice_agent.instructions = "Producto instalado: {producto}."
    voice_agent.save()
    campaign = make_campaign(start=False)
    leads_bulk_create(
        campaign_id=campaign.pk,
        rows=[LeadRow(NUMBERS[0], "Ana", extra={"fecha_instalacion": "3 de marzo", "producto": "caldera"})],
    )
    campaign_start(campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns_dispatch()
    lead = Lead.objects.get(phone=NUMBERS[0])
    assert lead.encuesta_id is not None and lead.current_call_id is not None
    job = load_job(
        JobMetadata(encuesta_id=lead.encuesta_id, voice_agent_id=voice_agent.pk, call_id=lead.current_call_id)
    )
    assert render_greeting(job.greeting, job.nombre_cliente, job.variables) == (
        "Hola Ana, le llamamos por su instalación del 3 de marzo."
    )
    assert "Producto instalado: caldera." in build_instructions(job, now=timezone.now())
    # "llámeme el lunes a las cinco" is read in the campaign's time zone
    assert job.time_zone == campaign.time_zone
