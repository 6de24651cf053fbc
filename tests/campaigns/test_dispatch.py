"""The dispatcher against the LiveKit test server with programmed phones (eager Celery, inline dialer)."""

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from calls.models import Call, Campaign, DoNotCallEntry, Encuesta, Lead
from calls.services import call_transition, encuesta_finish, encuesta_save
from calls.services.campaign_dispatch import campaign_dispatch, campaigns_dispatch
from calls.services.campaigns import campaign_cancel, campaign_pause, campaign_resume
from tests.campaigns.conftest import lead

pytestmark = pytest.mark.django_db

NUMBERS = [f"+3462115{n:04d}" for n in range(20)]


def hang_up_answered() -> None:
    """The callee hangs up every answered call (the survey stays unfinished)."""
    for call_id in Call.objects.filter(status=Call.Status.IN_PROGRESS).values_list("pk", flat=True):
        call_transition(call_id=call_id, to=Call.Status.COMPLETED)


def test_a_tick_creates_survey_and_call_and_dials(phones, make_campaign, tick):
    campaign = make_campaign(NUMBERS[:3])
    report = tick()
    assert report.started == 3
    for number in NUMBERS[:3]:
        row = lead(number)
        assert row.status == Lead.Status.CALLING
        assert row.attempts == 1
        assert row.encuesta.telefono == number
        assert row.encuesta.nombre_cliente == f"Cliente {number[-3:]}"
        call = row.encuesta.calls.get()
        assert call.status == Call.Status.IN_PROGRESS
        assert call.pk == row.current_call_id
    assert sorted(r.sip_call_to for r in phones.calls("CreateSIPParticipant")) == NUMBERS[:3]
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.RUNNING


@pytest.mark.parametrize(
    ("outcome", "last_outcome", "delay_field"),
    [
        ("busy", Lead.Outcome.BUSY, "retry_delay_busy"),
        ("no_answer", Lead.Outcome.NO_ANSWER, "retry_delay_no_answer"),
        ("rejected", Lead.Outcome.NO_ANSWER, "retry_delay_no_answer"),
    ],
)
def test_unanswered_outcomes_retry_after_their_delay(
    phones, make_campaign, tick, outcome, last_outcome, delay_field
):
    campaign = make_campaign([NUMBERS[0]])
    phones.program(NUMBERS[0], outcome=outcome)
    before = timezone.now()
    tick()
    row = lead(NUMBERS[0])
    assert row.status == Lead.Status.SCHEDULED
    assert row.last_outcome == last_outcome
    delay = getattr(campaign, delay_field)
    assert before + delay <= row.next_attempt_at <= timezone.now() + delay
    assert row.encuesta.status == Encuesta.Status.FAILED


def test_voicemail_network_failure_and_dropped_calls_use_their_own_delays(phones, make_campaign, tick):
    campaign = make_campaign(NUMBERS[:3])
    phones.fail("CreateSIPParticipant", code="unavailable", times=1)
    tick()
    calls: dict[str, Any] = {row.phone: row for row in Lead.objects.all()}
    failed = [p for p, row in calls.items() if row.status == Lead.Status.SCHEDULED]
    assert len(failed) == 1
    assert calls[failed[0]].last_outcome == Lead.Outcome.FAILED
    answered = [p for p in NUMBERS[:3] if p not in failed]
    call_transition(call_id=lead(answered[0]).current_call_id, to=Call.Status.VOICEMAIL)
    encuesta_save(encuesta_id=lead(answered[1]).encuesta_id, answers={"comercial": 7})
    call_transition(call_id=lead(answered[1]).current_call_id, to=Call.Status.COMPLETED)
    voicemail, dropped = lead(answered[0]), lead(answered[1])
    assert voicemail.last_outcome == Lead.Outcome.VOICEMAIL
    assert voicemail.next_attempt_at - voicemail.updated_at == pytest.approx(
        campaign.retry_delay_voicemail, abs=timedelta(seconds=1)
    )
    assert dropped.last_outcome == Lead.Outcome.DROPPED
    assert dropped.status == Lead.Status.SCHEDULED
    assert dropped.next_attempt_at - dropped.updated_at == pytest.approx(
        campaign.retry_delay_dropped, abs=timedelta(seconds=1)
    )
    assert calls[failed[0]].next_attempt_at - calls[failed[0]].updated_at == pytest.approx(
        campaign.retry_delay_failed, abs=timedelta(seconds=1)
    )


def test_retries_reuse_the_survey_and_stop_at_max_attempts(phones, make_campaign, tick):
    make_campaign([NUMBERS[0], NUMBERS[1]], max_attempts=3, retry_delay_busy=timedelta(0))
    phones.program(NUMBERS[0], outcome="busy")
    for _ in range(5):
        tick()
        hang_up_answered()
    busy, dropped = lead(NUMBERS[0]), lead(NUMBERS[1])
    assert busy.status == Lead.Status.UNREACHABLE
    assert busy.attempts == 3
    assert list(busy.encuesta.calls.order_by("attempt").values_list("attempt", "status")) == [
        (1, Call.Status.BUSY),
        (2, Call.Status.BUSY),
        (3, Call.Status.BUSY),
    ]
    assert busy.encuesta.calls.filter(room_name=f"encuesta_{busy.encuesta_id}_intento_3").exists()
    # Answered every time but never finished: incomplete after the last attempt.
    assert dropped.attempts == 1
    assert dropped.status == Lead.Status.SCHEDULED
    assert phones.dials()[NUMBERS[0]] == 3


def test_dropped_call_at_max_attempts_leaves_the_lead_incomplete(phones, make_campaign, tick):
    make_campaign([NUMBERS[0]], max_attempts=1)
    tick()
    hang_up_answered()
    row = lead(NUMBERS[0])
    assert (row.status, row.last_outcome) == (Lead.Status.INCOMPLETE, Lead.Outcome.DROPPED)


def test_invalid_number_is_final_at_once(phones, make_campaign, tick):
    make_campaign([NUMBERS[0]])
    phones.program(NUMBERS[0], outcome="invalid")
    tick()
    assert lead(NUMBERS[0]).status == Lead.Status.INVALID


def test_completed_survey_completes_the_lead_when_the_call_ends_and_then_the_campaign(
    phones, make_campaign, tick
):
    campaign = make_campaign([NUMBERS[0]])
    tick()
    row = lead(NUMBERS[0])
    encuesta_save(encuesta_id=row.encuesta_id, answers={"comercial": 9, "instalador": 8, "rapidez": 10})
    encuesta_finish(encuesta_id=row.encuesta_id)
    assert (
        lead(NUMBERS[0]).status == Lead.Status.CALLING
    )  # still on the phone: still counts against concurrency
    call_transition(call_id=row.current_call_id, to=Call.Status.COMPLETED)
    assert lead(NUMBERS[0]).status == Lead.Status.COMPLETED
    tick()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED
    assert campaign.finished_at is not None


def test_callback_requested_during_the_call_is_honoured(phones, make_campaign, tick):
    from calls.services.campaigns import lead_schedule_callback

    make_campaign([NUMBERS[0]], max_attempts=1)
    tick()
    when = timezone.now() + timedelta(hours=3)
    lead_schedule_callback(lead_id=lead(NUMBERS[0]).pk, when=when)
    hang_up_answered()
    row = lead(NUMBERS[0])
    assert (row.status, row.last_outcome, row.next_attempt_at) == (
        Lead.Status.SCHEDULED,
        Lead.Outcome.CALLBACK,
        when,
    )
    assert tick(now=when - timedelta(minutes=1)).started == 0
    assert tick(now=when).started == 1
    assert lead(NUMBERS[0]).callback_at is None


def test_callback_of_a_waiting_lead_moves_its_next_attempt(phones, make_campaign, tick):
    from calls.services.campaigns import lead_schedule_callback

    make_campaign([NUMBERS[0]], start=False)
    when = timezone.now() + timedelta(days=1)
    row = lead_schedule_callback(lead_id=lead(NUMBERS[0]).pk, when=when)
    assert (row.status, row.next_attempt_at) == (Lead.Status.SCHEDULED, when)


def test_paused_campaign_dials_nothing_and_resumes(phones, make_campaign, tick):
    campaign = make_campaign(NUMBERS[:2])
    campaign_pause(campaign_id=campaign.pk)
    assert tick().started == 0
    campaign_resume(campaign_id=campaign.pk)
    assert tick().started == 2


def test_pause_between_the_claim_and_the_dial_stops_the_dial(
    phones, make_campaign, django_capture_on_commit_callbacks
):
    campaign = make_campaign(NUMBERS[:2])
    with django_capture_on_commit_callbacks(execute=False) as pending:
        campaigns_dispatch()
    campaign_pause(campaign_id=campaign.pk)
    for callback in pending:
        callback()
    assert phones.calls("CreateSIPParticipant") == []
    for number in NUMBERS[:2]:
        row = lead(number)
        assert (row.status, row.attempts) == (Lead.Status.SCHEDULED, 0)
        assert row.encuesta.calls.get().status == Call.Status.CANCELED


def test_cancel_cancels_waiting_leads_and_lets_calls_finish(phones, make_campaign, tick):
    campaign = make_campaign(NUMBERS[:4], max_concurrent_calls=2)
    tick()
    assert campaign_cancel(campaign_id=campaign.pk) == 2
    statuses = sorted(Lead.objects.values_list("status", flat=True))
    assert statuses == [Lead.Status.CALLING] * 2 + [Lead.Status.CANCELLED] * 2
    hang_up_answered()
    assert set(Lead.objects.values_list("status", flat=True)) == {Lead.Status.CANCELLED}
    assert tick().started == 0


def test_concurrency_per_campaign_is_never_exceeded(phones, make_campaign, tick):
    make_campaign(NUMBERS[:10], max_concurrent_calls=3)
    for _ in range(4):
        tick()
        assert Lead.objects.filter(status=Lead.Status.CALLING).count() == 3
    hang_up_answered()
    tick()
    assert Lead.objects.filter(status=Lead.Status.CALLING).count() == 3


def test_trunk_concurrency_is_shared_by_campaigns(phones, make_campaign, tick, telephony_config):
    telephony_config.max_concurrent_calls = 4
    telephony_config.save()
    make_campaign(NUMBERS[:5])
    make_campaign(NUMBERS[5:10])
    for _ in range(3):
        tick()
        assert Call.objects.filter(status__in=Call.LIVE_STATUSES).count() == 4


def test_calls_per_second_paces_dial_start_times(phones, make_campaign, settings, telephony_config):
    settings.CAMPAIGN_DIAL_LOOKAHEAD_SECONDS = 2.0
    telephony_config.max_concurrent_calls = 100
    telephony_config.save()
    campaign = make_campaign(NUMBERS, calls_per_second=5.0)
    now = timezone.now()
    first = campaign_dispatch(campaign_id=campaign.pk, now=now)
    assert len(first) == 10  # 2 s of lookahead at 5 calls/s
    starts = [at for _call, at in first]
    assert [b - a for a, b in itertools.pairwise(starts)] == pytest.approx([0.2] * 9)
    # One second later only the next second's five are due; they continue the same spacing.
    second = campaign_dispatch(campaign_id=campaign.pk, now=now + timedelta(seconds=1))
    gaps = [at - starts[0] for _call, at in second]
    assert gaps == pytest.approx([1 + i * 0.2 for i in range(5)], abs=0.1)


def test_pacing_stops_at_the_window_closing(phones, make_campaign):
    from zoneinfo import ZoneInfo

    campaign = make_campaign(NUMBERS, calls_per_second=2.0, calling_window={"2": [["09:00", "21:00"]]})
    before_closing = datetime(2026, 11, 25, 20, 59, 59, tzinfo=ZoneInfo("Europe/Madrid"))
    assert len(campaign_dispatch(campaign_id=campaign.pk, now=before_closing)) == 2  # at +0 s and +0.5 s


def test_no_call_outside_the_window_and_due_leads_wait_for_the_opening(phones, make_campaign, tick):
    from zoneinfo import ZoneInfo

    madrid = ZoneInfo("Europe/Madrid")
    make_campaign(NUMBERS[:2], calling_window={"2": [["09:00", "21:00"]]})  # Wednesdays
    assert tick(now=datetime(2026, 11, 25, 8, 59, tzinfo=madrid)).started == 0
    assert tick(now=datetime(2026, 11, 25, 21, 0, tzinfo=madrid)).started == 0
    assert tick(now=datetime(2026, 12, 2, 9, 0, tzinfo=madrid)).started == 2


def test_lead_in_a_region_on_holiday_waits_for_its_next_opening(phones, make_campaign, tick):
    from zoneinfo import ZoneInfo

    madrid = ZoneInfo("Europe/Madrid")
    make_campaign(
        NUMBERS[:2],
        skip_holidays=True,
        regions={NUMBERS[0]: "CT"},
        calling_window=None or {str(d): [["09:00", "21:00"]] for d in range(5)},
    )
    diada = datetime(2026, 9, 11, 10, 0, tzinfo=madrid)
    Lead.objects.update(next_attempt_at=diada - timedelta(hours=1))
    assert tick(now=diada).started == 1
    catalan = lead(NUMBERS[0])
    assert catalan.status == Lead.Status.PENDING
    assert catalan.next_attempt_at == datetime(2026, 9, 14, 9, 0, tzinfo=madrid)
    assert lead(NUMBERS[1]).status == Lead.Status.CALLING


def test_national_holiday_stops_the_whole_campaign(phones, make_campaign, tick):
    from zoneinfo import ZoneInfo

    make_campaign(NUMBERS[:1], skip_holidays=True)
    fiesta = datetime(2026, 10, 12, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    Lead.objects.update(next_attempt_at=fiesta - timedelta(days=1))
    assert tick(now=fiesta).started == 0


def test_do_not_call_is_checked_again_at_dial_time(phones, make_campaign, django_capture_on_commit_callbacks):
    make_campaign(NUMBERS[:2])
    DoNotCallEntry.objects.create(phone=NUMBERS[0])
    with django_capture_on_commit_callbacks(execute=False) as pending:
        campaigns_dispatch()
    assert lead(NUMBERS[0]).status == Lead.Status.DO_NOT_CALL  # refused by the tick
    DoNotCallEntry.objects.create(phone=NUMBERS[1])  # listed between the tick and the dial
    for callback in pending:
        callback()
    assert phones.calls("CreateSIPParticipant") == []
    assert lead(NUMBERS[1]).status == Lead.Status.DO_NOT_CALL


def test_scheduled_campaign_starts_at_its_start_time(phones, make_campaign, tick):
    starts = timezone.now() + timedelta(hours=1)
    campaign = make_campaign(NUMBERS[:1], starts_at=starts)
    assert campaign.status == Campaign.Status.SCHEDULED
    assert tick().started == 0
    assert tick(now=starts).started == 1
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.RUNNING


def test_end_time_cancels_what_is_still_waiting(phones, make_campaign, tick):
    ends = timezone.now() + timedelta(hours=1)
    campaign = make_campaign(NUMBERS[:3], ends_at=ends, max_concurrent_calls=1)
    tick()
    tick(now=ends)
    assert (
        sorted(Lead.objects.values_list("status", flat=True))
        == [Lead.Status.CALLING] + [Lead.Status.CANCELLED] * 2
    )
    hang_up_answered()
    tick(now=ends)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.COMPLETED
