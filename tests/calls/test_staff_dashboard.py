"""The staff dashboard (admin index) and its selectors, on SQLite and MariaDB."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents_app.models import SurveyQuestion
from calls import staff_dashboard_selectors as selectors
from calls.models import Alert, AnswerDailyCount, Call, Encuesta
from calls.services import encuesta_save
from calls.services.answer_rollups import answer_rollups_refresh, answer_rollups_refresh_recent
from tests.factories import (
    CallFactory,
    EncuestaFactory,
    SurveyQuestionFactory,
    UserFactory,
    VoiceAgentFactory,
)

pytestmark = pytest.mark.django_db


def answered(agent, status=Encuesta.Status.IN_PROGRESS, **answers) -> Encuesta:
    encuesta = EncuestaFactory(voice_agent=agent, status=status)
    if answers:
        encuesta_save(encuesta_id=encuesta.pk, answers=answers)
    return encuesta


def test_question_stats_cover_any_questionnaire() -> None:
    agent = VoiceAgentFactory(name="NPS")
    SurveyQuestionFactory(agent=agent, key="nps", position=1)
    SurveyQuestionFactory(agent=agent, key="volveria", type=SurveyQuestion.Type.YES_NO, position=2)
    SurveyQuestionFactory(agent=agent, key="notas", type=SurveyQuestion.Type.TEXT, position=3, required=False)
    legacy = VoiceAgentFactory(name="Calidad")
    VoiceAgentFactory(name="Inactivo", is_active=False)
    for score, volveria in [(9, "sí"), (10, True), (4, "no"), (9, False)]:
        answered(agent, nps=score, volveria=volveria, notas="algo")
    answered(legacy, comercial=8, instalador=6)
    answered(legacy, comercial=6)
    old = answered(legacy, comercial=0)
    Encuesta.objects.filter(pk=old.pk).update(fecha=timezone.now() - timedelta(days=60))

    today = timezone.localdate()
    answer_rollups_refresh(first_day=today - timedelta(days=90), last_day=today)
    stats = selectors.question_stats(since=today - timedelta(days=29))

    by_name = {a.name: {q.key: q for q in a.questions} for a in stats}
    assert set(by_name) == {"NPS", "Calidad"}
    nps = by_name["NPS"]
    assert list(nps) == ["nps", "volveria"]
    assert (nps["nps"].answers, nps["nps"].average) == (4, 8.0)
    assert nps["nps"].distribution == [0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 1]
    assert (nps["volveria"].answers, nps["volveria"].yes_rate) == (4, 50.0)
    calidad = by_name["Calidad"]
    assert list(calidad) == ["comercial", "instalador", "rapidez"]
    assert (calidad["comercial"].answers, calidad["comercial"].average) == (2, 7.0)
    assert (calidad["instalador"].answers, calidad["instalador"].average) == (1, 6.0)
    assert (calidad["rapidez"].answers, calidad["rapidez"].average) == (0, None)


def test_the_refresh_recounts_only_its_days_and_is_idempotent() -> None:
    agent = VoiceAgentFactory(name="Calidad")
    answered(agent, comercial=8)
    old = answered(agent, comercial=3)
    Encuesta.objects.filter(pk=old.pk).update(fecha=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    since = today - timedelta(days=29)

    answer_rollups_refresh(first_day=today - timedelta(days=20), last_day=today)
    answered(agent, comercial=10)
    answer_rollups_refresh_recent(days=2)
    answer_rollups_refresh_recent(days=2)

    [calidad] = selectors.question_stats(since=since)
    comercial = calidad.questions[0]
    assert (comercial.key, comercial.answers, comercial.average) == ("comercial", 3, 7.0)
    assert AnswerDailyCount.objects.filter(day=today - timedelta(days=10)).get().value == "3"


def test_counts_and_rates_of_today_and_this_week() -> None:
    periods = selectors.Periods.at()
    now = periods.now
    agent = VoiceAgentFactory()
    statuses = [
        Encuesta.Status.COMPLETED,
        Encuesta.Status.COMPLETED,
        Encuesta.Status.INCOMPLETE,
        Encuesta.Status.REJECTED_OPT_OUT,
        Encuesta.Status.FAILED,
        Encuesta.Status.PENDING,
    ]
    surveys = [EncuestaFactory(voice_agent=agent, status=s) for s in statuses]
    Encuesta.objects.filter(pk=EncuestaFactory(voice_agent=agent).pk).update(
        fecha=periods.week - timedelta(days=1)
    )
    ended = {"ended_at": now, "answered_at": now}
    CallFactory(encuesta=surveys[0], status=Call.Status.COMPLETED, **ended)
    CallFactory(encuesta=surveys[1], status=Call.Status.COMPLETED, **ended)
    CallFactory(encuesta=surveys[4], status=Call.Status.NO_ANSWER, ended_at=now)
    CallFactory(encuesta=surveys[5], status=Call.Status.IN_PROGRESS, answered_at=now)
    CallFactory(
        encuesta=surveys[3], status=Call.Status.COMPLETED, queued_at=periods.week - timedelta(hours=1)
    )

    calls = selectors.call_counts(periods=periods)
    rates = selectors.survey_rates(since=periods.week)

    assert (calls["today"], calls["week"], calls["ended"], calls["answered"]) == (4, 4, 3, 2)
    assert calls["answer_rate"] == round(100 * 2 / 3, 1)
    assert (rates["total"], rates["closed"], rates["completed"], rates["refused"]) == (6, 5, 2, 1)
    assert rates["completion_rate"] == 40.0
    assert rates["refusal_rate"] == round(100 / 4, 1)


def test_calls_per_day_fills_empty_days() -> None:
    periods = selectors.Periods.at()
    CallFactory(queued_at=periods.now, answered_at=periods.now)
    CallFactory(queued_at=periods.now)
    CallFactory(queued_at=periods.today - timedelta(days=3, hours=-1))
    CallFactory(queued_at=periods.today - timedelta(days=30))

    rows = selectors.calls_per_day(periods=periods, days=14)

    assert len(rows) == 14
    assert rows[-1] == {"day": periods.today.date(), "calls": 2, "answered": 1}
    assert rows[-4]["calls"] == 1
    assert sum(r["calls"] for r in rows) == 3


def test_recent_failures_and_calls_in_progress() -> None:
    now = timezone.now()
    failed = CallFactory(status=Call.Status.FAILED, ended_at=now, sip_status_code=486, sip_status="Busy Here")
    CallFactory(status=Call.Status.COMPLETED, ended_at=now)
    CallFactory(status=Call.Status.BUSY, ended_at=now - timedelta(days=10))
    live = CallFactory(status=Call.Status.RINGING)
    CallFactory(status=Call.Status.QUEUED)

    assert list(selectors.recent_failures(since=now - timedelta(days=7))) == [failed]
    assert list(selectors.calls_in_progress()) == [live]


def test_the_admin_index_is_the_dashboard(admin_client_logged) -> None:
    agent = VoiceAgentFactory(name="Calidad")
    answered(agent, comercial=7)
    answered(agent, comercial=9)
    answer_rollups_refresh_recent()
    CallFactory(status=Call.Status.IN_PROGRESS, to_number="+34600111222", answered_at=timezone.now())
    CallFactory(status=Call.Status.BUSY, ended_at=timezone.now(), sip_status_code=486, sip_status="Busy Here")
    Alert.objects.create(kind=Alert.Kind.TRUNK_FAILING, message="El trunk falla", dedupe_key="t")

    response = admin_client_logged.get("/admin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="staff-dashboard"' in page
    assert "+34600111222" in page
    assert "Busy Here" in page
    assert "El trunk falla" in page
    dashboard = response.context["dashboard"]
    assert dashboard["calls"]["today"] == 2
    [calidad] = [block for block in dashboard["agents"] if block["agent"].name == "Calidad"]
    assert calidad["questions"][0]["stats"].average == 8.0
    assert [b["height"] for b in calidad["questions"][0]["bars"]][7:] == [100, 0, 100, 0]


def test_live_endpoint_lists_calls_in_progress(admin_client_logged) -> None:
    call = CallFactory(status=Call.Status.DIALING, dialing_at=timezone.now())

    body = admin_client_logged.get("/admin/dashboard/live/").json()

    assert [c["id"] for c in body["calls"]] == [call.pk]
    assert body["calls"][0]["to_number"] == call.to_number
    assert body["calls"][0]["url"] == f"/admin/calls/call/{call.pk}/change/"


def test_staff_without_call_permissions_see_no_numbers(client) -> None:
    client.force_login(UserFactory(is_staff=True))
    CallFactory(status=Call.Status.IN_PROGRESS, to_number="+34600999888")

    page = client.get("/admin/")
    live = client.get("/admin/dashboard/live/")

    assert page.status_code == 200
    assert "+34600999888" not in page.content.decode()
    assert live.status_code == 403
    assert live.json()["detail"]


def test_anonymous_visitors_get_the_login_page(client) -> None:
    response = client.get("/admin/dashboard/live/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
