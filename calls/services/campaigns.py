"""Campaign writes: create, start, pause, resume, cancel, retries and streamed bulk lead creation."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents_app.models import VoiceAgent
from calls.models import Campaign, Lead
from calls.services.lead_insert import leads_insert_ignoring_duplicates
from calls.services.lead_outcomes import lead_schedule_callback, lead_transition
from calls.services.webhooks import webhook_emit
from calls.webhook_models import WebhookEvent

CampaignStatus = Campaign.Status
LeadStatus = Lead.Status

__all__ = [
    "LeadRow",
    "LeadsCreated",
    "campaign_cancel",
    "campaign_create",
    "campaign_pause",
    "campaign_resume",
    "campaign_retry_failed",
    "campaign_start",
    "campaign_transition",
    "campaign_update",
    "lead_retry",
    "lead_schedule_callback",
    "leads_bulk_create",
]


def campaign_transition(*, campaign_id: int, to: str, **fields: Any) -> bool:
    """Conditional status change through Campaign.TRANSITIONS; False when it was elsewhere."""
    moved = bool(
        Campaign.objects.filter(pk=campaign_id, status__in=Campaign.TRANSITIONS[to]).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )
    if moved and to == CampaignStatus.COMPLETED:
        campaign = Campaign.objects.get(pk=campaign_id)
        webhook_emit(
            WebhookEvent.CAMPAIGN_COMPLETED,
            {"campaign_id": campaign.pk, "name": campaign.name, "finished_at": campaign.finished_at},
        )
    return moved


def _refused(campaign: Campaign, action: str) -> ValidationError:
    return ValidationError(
        _("No se puede %(action)s la campaña «%(name)s»: está %(status)s.")
        % {"action": action, "name": campaign.name, "status": campaign.get_status_display().lower()},
        code="invalid_status",
    )


@transaction.atomic
def campaign_create(
    *,
    name: str,
    voice_agent: VoiceAgent,
    created_by: Any = None,
    status: str = CampaignStatus.DRAFT,
    **fields: Any,
) -> Campaign:
    """Validate and create. "scheduled" or "running" also starts it (running waits for its start time)."""
    campaign = Campaign(
        name=name,
        voice_agent=voice_agent,
        created_by=created_by if getattr(created_by, "pk", None) else None,
        **fields,
    )
    campaign.full_clean()
    campaign.save()
    if status in (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING):
        return campaign_start(campaign_id=campaign.pk)
    if status != CampaignStatus.DRAFT:
        raise ValidationError(
            {"status": _("Una campaña nueva solo puede ser borrador, programada o en curso.")}
        )
    return campaign


EDITABLE_FIELDS = frozenset(
    f.name
    for f in Campaign._meta.get_fields()
    if getattr(f, "editable", False)
    and f.concrete
    and f.name not in {"id", "status", "created_by", "pacing_cursor"}
)


@transaction.atomic
def campaign_update(*, campaign_id: int, **fields: Any) -> Campaign:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("Campos no editables: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status in Campaign.FINAL_STATUSES and campaign.status != CampaignStatus.COMPLETED:
        raise _refused(campaign, _("modificar"))
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    return campaign


def _start_target(campaign: Campaign) -> str:
    if campaign.starts_at and campaign.starts_at > timezone.now():
        return CampaignStatus.SCHEDULED
    return CampaignStatus.RUNNING


@transaction.atomic
def campaign_start(*, campaign_id: int) -> Campaign:
    """Draft (or paused) -> running, or scheduled until its start time. Refused without leads to call."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED):
        raise _refused(campaign, _("iniciar"))
    target = _start_target(campaign)
    now = timezone.now()
    fields: dict[str, Any] = (
        {"started_at": campaign.started_at or now} if target == CampaignStatus.RUNNING else {}
    )
    if campaign.status != target:
        campaign_transition(campaign_id=campaign.pk, to=target, **fields)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def campaign_pause(*, campaign_id: int) -> Campaign:
    """No new dial from now on (the dispatcher re-reads the status under the campaign's lock)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if not campaign_transition(campaign_id=campaign.pk, to=CampaignStatus.PAUSED):
        raise _refused(campaign, _("pausar"))
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def campaign_resume(*, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.PAUSED:
        raise _refused(campaign, _("reanudar"))
    return campaign_start(campaign_id=campaign.pk)


@transaction.atomic
def campaign_cancel(*, campaign_id: int) -> int:
    """Cancel the campaign and its waiting leads; calls in progress finish. Returns the leads cancelled."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if not campaign_transition(
        campaign_id=campaign.pk, to=CampaignStatus.CANCELLED, finished_at=timezone.now()
    ):
        raise _refused(campaign, _("cancelar"))
    return Lead.objects.filter(campaign_id=campaign.pk, status__in=Lead.WAITING_STATUSES).update(
        status=LeadStatus.CANCELLED, next_attempt_at=None, updated_at=timezone.now()
    )


def _reopen(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.COMPLETED:
        campaign_transition(campaign_id=campaign.pk, to=CampaignStatus.RUNNING, finished_at=None)


@transaction.atomic
def campaign_retry_failed(*, campaign_id: int) -> int:
    """Send unreachable, incomplete and cancelled leads round again with fresh attempts."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status == CampaignStatus.CANCELLED:
        raise _refused(campaign, _("reintentar"))
    count = Lead.objects.filter(campaign_id=campaign.pk, status__in=Lead.RETRYABLE_STATUSES).update(
        status=LeadStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), updated_at=timezone.now()
    )
    if count:
        _reopen(campaign)
    return count


@transaction.atomic
def lead_retry(*, lead_id: int) -> Lead:
    # The lead row only: the dispatcher locks a campaign before its leads.
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    if lead.campaign.status == CampaignStatus.CANCELLED or not lead_transition(
        lead_id=lead.pk, to=LeadStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    ):
        raise ValidationError(
            _("No se puede reintentar el contacto %(phone)s: está %(status)s.")
            % {"phone": lead.phone, "status": lead.get_status_display().lower()},
            code="invalid_status",
        )
    _reopen(lead.campaign)
    lead.refresh_from_db()
    return lead


@dataclass(frozen=True)
class LeadRow:
    phone: str  # already validated, E.164
    customer_name: str = ""
    region: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LeadsCreated:
    created: int
    duplicates: int


def _batches(rows: Iterable[LeadRow], size: int) -> Iterator[list[LeadRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def leads_bulk_create(*, campaign_id: int, rows: Iterable[LeadRow], batch_size: int = 2000) -> LeadsCreated:
    """Stream rows into the campaign in batches (bounded memory); phones already there are skipped.

    Each batch commits on its own, so a 100k-row import never holds one huge transaction.
    """
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status == CampaignStatus.CANCELLED:
        raise _refused(campaign, _("añadir contactos a"))
    created = duplicates = 0
    for batch in _batches(rows, batch_size):
        now = timezone.now()
        unique: dict[str, LeadRow] = {}
        for row in batch:
            unique.setdefault(row.phone, row)  # the first row of a phone wins; file order kept
        with transaction.atomic():
            # INSERT … IGNORE: phones already in the campaign are skipped; the row count is what was added.
            added = leads_insert_ignoring_duplicates(
                campaign_id=campaign_id, rows=list(unique.values()), now=now
            )
        created += added
        duplicates += len(batch) - added
    if created:
        _reopen(campaign)
    return LeadsCreated(created=created, duplicates=duplicates)
