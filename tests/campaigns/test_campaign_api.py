"""The old system's campaign API: exact shapes, status words, errors with a top-level detail."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calls.models import Campaign, DoNotCallEntry, Encuesta, Lead
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CAMPAIGN_KEYS = {
    "id",
    "name",
    "status",
    "scheduled_time",
    "created_at",
    "total_leads",
    "called_leads",
    "failed_leads",
    "pending_leads",
    "retries_count",
}
LEAD_KEYS = {
    "id",
    "phone_number",
    "customer_name",
    "status",
    "updated_at",
    "puntuacion_comercial",
    "puntuacion_instalador",
    "puntuacion_rapidez",
    "comentarios",
    "transcription_preview",
    "retries_attempted",
}
ALL_PERMS = ["view_campaign", "add_campaign", "change_campaign", "delete_campaign", "add_lead"]


def client_with(*codenames: str) -> APIClient:
    user = UserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="calls", codename__in=codenames)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def supervisor() -> APIClient:
    return client_with(*ALL_PERMS)


def create_payload(agent, **campaign) -> dict:
    return {
        "campaign": {
            "name": "Encuesta marzo",
            "agent_id": str(agent.pk),  # the old client sends the <select>'s string value
            "scheduled_time": None,
            "status": "pending",
            "retry_interval": 60,
            **campaign,
        },
        "leads": [
            {"phone_number": "612345678", "customer_name": "Ane"},
            {"phone_number": "+34 699 111 222", "customer_name": "Jon"},
            {"phone_number": "12", "customer_name": "Mal"},
        ],
    }


def test_create_returns_id_and_message_and_starts(supervisor, voice_agent, telephony_config):
    response = supervisor.post(
        reverse("campaigns"), create_payload(voice_agent, retries_count=4), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "message"}
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.status == Campaign.Status.RUNNING
    assert campaign.max_attempts == 4
    assert campaign.retry_delay_busy == campaign.retry_delay_no_answer == timedelta(minutes=60)
    assert sorted(campaign.leads.values_list("phone", flat=True)) == ["+34612345678", "+34699111222"]
    assert "2 contactos" in body["message"]
    assert "Número no válido: 1" in body["message"]


def test_create_with_future_time_waits_and_reads_as_pending(supervisor, voice_agent):
    later = (timezone.now() + timedelta(days=1)).isoformat()

    body = supervisor.post(
        reverse("campaigns"), create_payload(voice_agent, scheduled_time=later), format="json"
    ).json()

    assert Campaign.objects.get(pk=body["id"]).status == Campaign.Status.SCHEDULED
    listed = supervisor.get(reverse("campaigns")).json()
    assert listed[0]["status"] == "pending"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"agent_id": 999999}, "999999"),
        ({"name": ""}, "name"),
        ({"retries_count": 0}, "retries_count"),
        ({"status": "completed"}, "status"),
    ],
)
def test_create_refuses_bad_input_with_detail_and_writes_nothing(supervisor, voice_agent, change, needle):
    response = supervisor.post(reverse("campaigns"), create_payload(voice_agent, **change), format="json")

    assert response.status_code == 400
    assert needle in response.json()["detail"]
    assert not Campaign.objects.exists()


def test_list_is_a_bare_array_with_counts(supervisor, make_campaign):
    campaign = make_campaign(["+34612345678", "+34699111222", "+34699111333"])
    Lead.objects.filter(phone="+34612345678").update(status=Lead.Status.UNREACHABLE, attempts=3)
    Lead.objects.filter(phone="+34699111222").update(status=Lead.Status.COMPLETED, attempts=1)

    body = supervisor.get(reverse("campaigns")).json()

    assert isinstance(body, list)
    assert set(body[0]) == CAMPAIGN_KEYS
    assert {k: body[0][k] for k in ("id", "status", "total_leads", "called_leads", "failed_leads")} == {
        "id": campaign.pk,
        "status": "running",
        "total_leads": 3,
        "called_leads": 2,
        "failed_leads": 1,
    }
    assert (body[0]["pending_leads"], body[0]["retries_count"]) == (1, 3)


def test_detail_has_campaign_and_leads_with_survey_answers(supervisor, make_campaign, voice_agent):
    campaign = make_campaign(["+34612345678", "+34699111222"])
    encuesta = Encuesta.objects.create(
        telefono="+34612345678",
        voice_agent=voice_agent,
        puntuacion_comercial=9,
        comentarios="Muy bien",
        transcription="Agente: hola\nCliente: hola",
    )
    Lead.objects.filter(phone="+34612345678").update(
        encuesta=encuesta, status=Lead.Status.COMPLETED, attempts=2
    )
    Lead.objects.filter(phone="+34699111222").update(status=Lead.Status.OPTED_OUT)

    body = supervisor.get(reverse("campaign-detail", args=[campaign.pk])).json()

    assert set(body) == {"campaign", "leads"}
    assert set(body["campaign"]) == CAMPAIGN_KEYS | {"agent_id", "retry_interval"}
    assert body["campaign"]["agent_id"] == voice_agent.pk
    by_phone = {lead["phone_number"]: lead for lead in body["leads"]}
    first, second = by_phone["+34612345678"], by_phone["+34699111222"]
    assert set(first) == LEAD_KEYS
    assert (first["phone_number"], first["status"], first["retries_attempted"]) == (
        "+34612345678",
        "completed",
        2,
    )
    assert (first["puntuacion_comercial"], first["comentarios"]) == (9, "Muy bien")
    assert first["transcription_preview"].startswith("Agente: hola")
    assert (second["status"], second["puntuacion_comercial"], second["comentarios"]) == (
        "rejected_opt_out",
        None,
        None,
    )


def test_put_renames_and_reschedules(supervisor, make_campaign):
    campaign = make_campaign(start=False)
    when = timezone.now() + timedelta(hours=3)

    response = supervisor.put(
        reverse("campaign-detail", args=[campaign.pk]),
        {"name": "Nuevo nombre", "scheduled_time": when.isoformat()},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Nuevo nombre"
    campaign.refresh_from_db()
    assert (campaign.name, campaign.starts_at) == ("Nuevo nombre", when)


def test_delete_removes_campaign_and_refuses_with_calls_in_progress(supervisor, make_campaign):
    busy = make_campaign(["+34612345678"])
    Lead.objects.filter(campaign=busy).update(status=Lead.Status.CALLING)
    idle = make_campaign(["+34699111222"])

    refused = supervisor.delete(reverse("campaign-detail", args=[busy.pk]))
    deleted = supervisor.delete(reverse("campaign-detail", args=[idle.pk]))

    assert refused.status_code == 400
    assert "llamadas en curso" in refused.json()["detail"]
    assert deleted.status_code == 200
    assert set(Campaign.objects.values_list("pk", flat=True)) == {busy.pk}


def test_bulk_leads_json_list_and_single_object(supervisor, make_campaign):
    campaign = make_campaign(["+34612345678"], start=False)
    DoNotCallEntry.objects.create(phone="+34611222333")
    url = reverse("campaign-leads", args=[campaign.pk])

    listed = supervisor.post(
        url,
        [
            {"phone_number": "699111222", "customer_name": "Jon"},
            {"phone_number": "612345678"},
            {"phone_number": "611222333"},
        ],
        format="json",
    )
    single = supervisor.post(url, {"phone": "+34600000001"}, format="json")

    body = listed.json()
    assert listed.status_code == 201
    assert (body["status"], body["added"], body["rejected"]) == ("success", 1, 2)
    assert [(r["line"], r["reason"]) for r in body["rejections"]] == [(2, "duplicate"), (3, "do_not_call")]
    assert single.json()["added"] == 1
    assert campaign.leads.count() == 3


def test_bulk_leads_multipart_csv(supervisor, make_campaign):
    campaign = make_campaign(start=False)
    upload = SimpleUploadedFile("leads.csv", "telefono;nombre\n612345678;Begoña\n".encode("cp1252"))

    response = supervisor.post(
        reverse("campaign-leads", args=[campaign.pk]), {"file": upload}, format="multipart"
    )

    assert response.status_code == 201
    assert campaign.leads.get().customer_name == "Begoña"


@pytest.mark.parametrize(
    ("payload", "fmt"),
    [
        ({"file": SimpleUploadedFile("x.csv", b"")}, "multipart"),
        ({"file": SimpleUploadedFile("x.csv", b"nombre\nAne\n")}, "multipart"),
        ({"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04rubbish")}, "multipart"),
        ("not a list", "json"),
        ([1, 2], "json"),
    ],
)
def test_bulk_leads_garbage_is_a_400_with_detail(supervisor, make_campaign, payload, fmt):
    campaign = make_campaign(start=False)

    response = supervisor.post(reverse("campaign-leads", args=[campaign.pk]), payload, format=fmt)

    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert not campaign.leads.exists()


def test_retry_failed_and_retry_one_lead(supervisor, make_campaign):
    campaign = make_campaign(["+34612345678", "+34699111222", "+34699111333"])
    Lead.objects.filter(phone__in=["+34612345678", "+34699111222"]).update(
        status=Lead.Status.UNREACHABLE, attempts=3
    )

    retried = supervisor.post(reverse("campaign-retry", args=[campaign.pk]))
    one = Lead.objects.get(phone="+34699111333")
    Lead.objects.filter(pk=one.pk).update(status=Lead.Status.INCOMPLETE, attempts=1)
    single = supervisor.post(reverse("campaign-lead-retry", args=[one.pk]))

    assert retried.json() == {"status": "success", "retried_count": 2}
    assert single.status_code == 200
    assert single.json() == {"status": "success", "lead_id": one.pk, "lead_status": "pending"}
    assert set(Lead.objects.values_list("status", "attempts")) == {(Lead.Status.PENDING, 0)}


def test_retry_of_a_lead_that_is_not_retryable_is_a_400(supervisor, make_campaign):
    make_campaign(["+34612345678"])

    response = supervisor.post(reverse("campaign-lead-retry", args=[Lead.objects.get().pk]))

    assert response.status_code == 400
    assert "+34612345678" in response.json()["detail"]


def test_start_pause_resume_cancel(supervisor, make_campaign):
    campaign = make_campaign(["+34612345678"], start=False)

    def act(action):
        return supervisor.post(reverse(f"campaign-{action}", args=[campaign.pk]))

    assert act("start").json()["status"] == "running"
    assert act("pause").json()["status"] == "paused"
    assert act("resume").json()["status"] == "running"
    cancelled = act("cancel")
    assert (cancelled.json()["status"], cancelled.json()["failed_leads"]) == ("completed", 1)
    again = act("pause")
    assert again.status_code == 400
    assert "pausar" in again.json()["detail"]


def test_unknown_campaign_is_a_404_with_detail(supervisor):
    response = supervisor.post(reverse("campaign-start", args=[424242]))

    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "name", "perm"),
    [
        ("get", "campaigns", "view_campaign"),
        ("post", "campaigns", "add_campaign"),
        ("get", "campaign-detail", "view_campaign"),
        ("put", "campaign-detail", "change_campaign"),
        ("delete", "campaign-detail", "delete_campaign"),
        ("post", "campaign-leads", "change_campaign"),
        ("post", "campaign-retry", "change_campaign"),
        ("post", "campaign-start", "change_campaign"),
        ("post", "campaign-cancel", "change_campaign"),
    ],
)
def test_each_view_needs_its_model_permission(make_campaign, method, name, perm):
    campaign = make_campaign(start=False)
    args = [] if name == "campaigns" else [campaign.pk]
    without = client_with(*(p for p in ALL_PERMS if p != perm))

    response = getattr(without, method)(reverse(name, args=args), {}, format="json")

    assert response.status_code == 403
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def exercise_campaign_api(call: Callable[..., Any], agent_id: int) -> None:
    """Every campaign endpoint once, as the old client uses them (the schema conformance test calls this)."""
    campaign = {"name": "Conformidad", "agent_id": agent_id, "scheduled_time": None, "status": "draft"}
    created = call("post", "/api/campaigns", {"campaign": campaign, "leads": [{"phone_number": "612345678"}]})
    path = f"/api/campaigns/{created['id']}"
    call("get", "/api/campaigns")
    call("post", f"{path}/leads", [{"phone_number": "699111222", "customer_name": "Jon"}])
    lead_id = call("get", path)["leads"][0]["id"]
    call("put", path, {"name": "Conformidad 2", "scheduled_time": None})
    for action in ("start", "pause", "resume"):
        call("post", f"{path}/{action}")
    Lead.objects.filter(campaign_id=created["id"]).update(status=Lead.Status.UNREACHABLE)
    call("post", f"{path}/retry")
    Lead.objects.filter(pk=lead_id).update(status=Lead.Status.INCOMPLETE)
    call("post", f"/api/campaigns/leads/{lead_id}/retry")
    call("post", f"{path}/cancel")
    call("delete", path)
