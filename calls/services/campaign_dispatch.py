"""The campaign dispatcher: each tick claims due leads, creates their surveys and calls, and paces the dials.

Per campaign, under the campaign's row lock (two dispatchers never claim the same lead):
status, start/end time, calling window and holidays decide whether to dial at all; the free room is
the smallest of the campaign's concurrency, the trunk's concurrency (under the trunk's row lock,
counting every live call) and the calls-per-second budget; the due leads come from one index range
per waiting status, so a tick costs in proportion to the calls it starts, not to the campaign's size.
"""

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.calling_windows import CallingHours, campaign_hours, is_holiday
from calls.models import Call, Campaign, DoNotCallEntry, Encuesta, Lead
from calls.services.campaigns import campaign_transition
from calls.services.lead_outcomes import lead_transition
from telephony.exceptions import TelephonyNotConfigured
from telephony.models import TelephonyConfig
from telephony.selectors import telephony_config_get_default

logger = logging.getLogger(__name__)
CampaignStatus = Campaign.Status
LeadStatus = Lead.Status


@dataclass
class DispatchReport:
    started: int = 0
    completed: list[int] = field(default_factory=list)
    slots: list[tuple[int, float]] = field(default_factory=list)


def campaigns_dispatch(*, now: datetime | None = None) -> DispatchReport:
    """One tick over every running campaign; the dials are enqueued when each campaign's claim commits."""
    now = now or timezone.now()
    Campaign.objects.filter(status=CampaignStatus.SCHEDULED, starts_at__lte=now).update(
        status=CampaignStatus.RUNNING, started_at=Coalesce("started_at", Value(now)), updated_at=now
    )
    report = DispatchReport()
    for campaign_id in Campaign.objects.filter(status=CampaignStatus.RUNNING).values_list("pk", flat=True):
        try:
            slots = campaign_dispatch(campaign_id=campaign_id, now=now, report=report)
        except TelephonyNotConfigured as exc:
            logger.warning("Campaign %s cannot dial: %s", campaign_id, exc)
            continue
        report.started += len(slots)
        report.slots.extend(slots)
    return report


def _lock_running(campaign_id: int) -> Campaign | None:
    # Another dispatcher on this campaign right now: leave it to that one (SKIP LOCKED where supported).
    skip = connection.features.has_select_for_update_skip_locked
    return (
        Campaign.objects.select_for_update(skip_locked=skip)
        .filter(pk=campaign_id, status=CampaignStatus.RUNNING)
        .first()
    )


def _finish_if_done(campaign: Campaign, now: datetime) -> bool:
    if campaign.ends_at and now >= campaign.ends_at:
        Lead.objects.filter(campaign=campaign, status__in=Lead.WAITING_STATUSES).update(
            status=LeadStatus.CANCELLED, next_attempt_at=None, updated_at=now
        )
    for status in Lead.OPEN_STATUSES:
        if Lead.objects.filter(campaign=campaign, status=status).exists():
            return False
    return campaign_transition(campaign_id=campaign.pk, to=CampaignStatus.COMPLETED, finished_at=now)


def _trunk(campaign: Campaign) -> tuple[TelephonyConfig, str]:
    config = campaign.telephony_config if campaign.telephony_config_id else telephony_config_get_default()
    if config is None:
        raise TelephonyNotConfigured(_("No hay configuración de telefonía por defecto."))
    trunk_id = config.sip_trunk_id or settings.SIP_OUTBOUND_TRUNK_ID
    if not trunk_id:
        raise TelephonyNotConfigured(
            _("La configuración «%(name)s» no tiene trunk SIP.") % {"name": config.name}
        )
    # Locked until commit: the trunk's live calls are counted and added to by one claimer at a time.
    return TelephonyConfig.objects.select_for_update().get(pk=config.pk), trunk_id


def _due_leads(campaign: Campaign, now: datetime, limit: int) -> list[Lead]:
    leads: list[Lead] = []
    for status in (LeadStatus.SCHEDULED, LeadStatus.PENDING):
        if len(leads) >= limit:
            break
        leads += list(
            Lead.objects.select_for_update()
            .filter(campaign=campaign, status=status, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[: limit - len(leads)]
        )
    return leads


def _screen(campaign: Campaign, hours: CallingHours, leads: list[Lead], now: datetime) -> list[Lead]:
    """Drop leads that may not be dialed now: do-not-call numbers and leads whose region is on holiday."""
    blocked = set(
        DoNotCallEntry.objects.filter(phone__in=[lead.phone for lead in leads]).values_list(
            "phone", flat=True
        )
    )
    ready = []
    for lead in leads:
        if lead.phone in blocked:
            lead_transition(lead_id=lead.pk, to=LeadStatus.DO_NOT_CALL, next_attempt_at=None)
            continue
        if (
            lead.region
            and campaign.skip_holidays
            and is_holiday(now.astimezone(hours.tz).date(), [lead.region])
        ):
            opening = hours.with_region(lead.region).next_opening(now)
            if opening is None:
                lead_transition(lead_id=lead.pk, to=LeadStatus.CANCELLED, next_attempt_at=None)
            else:
                Lead.objects.filter(pk=lead.pk).update(next_attempt_at=opening, updated_at=now)
            continue
        ready.append(lead)
    return ready


def _start_calls(
    campaign: Campaign, config: TelephonyConfig, trunk_id: str, leads: list[Lead], now: datetime
) -> list[Call]:
    """One survey per lead (reused across attempts), one new Call per attempt, the lead marked calling."""
    agent = campaign.voice_agent
    fresh = [lead for lead in leads if lead.encuesta_id is None]
    created = Encuesta.objects.bulk_create(
        [
            Encuesta(
                telefono=lead.phone,
                voice_agent=agent,
                nombre_cliente=lead.customer_name,
                status=Encuesta.Status.INITIATED,
                llm_model=agent.llm_model,
            )
            for lead in fresh
        ]
    )
    survey_of: dict[int, int] = {lead.pk: encuesta.pk for lead, encuesta in zip(fresh, created, strict=True)}
    again = [lead.encuesta_id for lead in leads if lead.encuesta_id is not None]
    survey_of.update({lead.pk: lead.encuesta_id for lead in leads if lead.encuesta_id is not None})
    last_attempt: dict[int, int] = {}
    if again:
        Encuesta.objects.filter(
            pk__in=again,
            status__in={Encuesta.Status.PENDING, Encuesta.Status.FAILED, Encuesta.Status.INCOMPLETE},
        ).update(status=Encuesta.Status.INITIATED, completada=False, updated_at=now)
        last_attempt = dict(
            Call.objects.filter(encuesta_id__in=again)
            .values("encuesta_id")
            .annotate(n=Max("attempt"))
            .values_list("encuesta_id", "n")
        )
    calls = []
    for lead in leads:
        encuesta_id = lead.encuesta_id = survey_of[lead.pk]
        attempt = last_attempt.get(encuesta_id, 0) + 1
        room = f"encuesta_{encuesta_id}" if attempt == 1 else f"encuesta_{encuesta_id}_intento_{attempt}"
        calls.append(
            Call(
                encuesta_id=encuesta_id,
                attempt=attempt,
                room_name=room,
                telephony_config=config,
                to_number=lead.phone,
                from_number=config.from_number,
                sip_trunk_id=trunk_id,
                queued_at=now,
                enqueued_at=now,
            )
        )
    calls = Call.objects.bulk_create(calls)
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(
        status=LeadStatus.CALLING,
        attempts=F("attempts") + 1,
        next_attempt_at=None,
        callback_at=None,
        updated_at=now,
    )
    # Per-row links in one executemany: Django's bulk_update builds CASE expressions that cost more
    # Python time than the whole rest of the tick.
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(  # noqa: S608 (quoted names only)
        *(quote(name) for name in (Lead._meta.db_table, "encuesta_id", "current_call_id", "id"))
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(survey_of[lead.pk], call.pk, lead.pk) for lead, call in zip(leads, calls, strict=True)],
        )
    return calls


def campaign_dispatch(
    *, campaign_id: int, now: datetime, report: DispatchReport | None = None
) -> list[tuple[int, float]]:
    """Claim and start this tick's calls of one campaign. Returns (call id, dial start epoch) pairs."""
    with transaction.atomic():
        campaign = _lock_running(campaign_id)
        if campaign is None:
            return []
        if _finish_if_done(campaign, now):
            if report is not None:
                report.completed.append(campaign.pk)
            return []
        hours = campaign_hours(campaign)
        closes = hours.open_until(now)
        if closes is None or not campaign.voice_agent.is_active:
            return []
        room = (
            campaign.max_concurrent_calls
            - Lead.objects.filter(campaign=campaign, status=LeadStatus.CALLING).count()
        )
        cursor = max(now, campaign.pacing_cursor or now)
        horizon = now + timedelta(seconds=settings.CAMPAIGN_DIAL_LOOKAHEAD_SECONDS)
        if room <= 0 or cursor >= min(horizon, closes):
            return []
        # Every paced start falls before the horizon and before the window closes.
        room = min(
            room, math.ceil((min(horizon, closes) - cursor).total_seconds() * campaign.calls_per_second)
        )
        room = min(room, settings.CAMPAIGN_DISPATCH_MAX_PER_TICK)
        config, trunk_id = _trunk(campaign)
        live = Call.objects.filter(telephony_config=config, status__in=Call.LIVE_STATUSES).count()
        room = min(room, config.max_concurrent_calls - live)
        if room <= 0:
            return []
        leads = _screen(campaign, hours, _due_leads(campaign, now, room), now)
        if not leads:
            return []
        calls = _start_calls(campaign, config, trunk_id, leads, now)
        gap = 1.0 / campaign.calls_per_second
        # Dial times on the real clock (the tick's `now` may be simulated in tests and benchmarks).
        start = time.time() + (cursor - now).total_seconds()
        slots = [(call.pk, start + i * gap) for i, call in enumerate(calls)]
        Campaign.objects.filter(pk=campaign.pk).update(
            pacing_cursor=cursor + timedelta(seconds=gap * len(calls))
        )
        transaction.on_commit(lambda: _enqueue(slots), robust=True)
    return slots


def _enqueue(slots: list[tuple[int, float]]) -> None:
    from calls.tasks_campaigns import campaign_dial_task

    campaign_dial_task.delay([[call_id, at] for call_id, at in slots])
