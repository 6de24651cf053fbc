"""Campaign reads: progress (counts per lead status, % done, calls in progress, next opening) and the
old client's status words."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from calls.calling_windows import campaign_hours
from calls.models import Campaign, Lead

CampaignStatus = Campaign.Status
LeadStatus = Lead.Status


@dataclass(frozen=True)
class CampaignProgress:
    counts: dict[str, int]
    total: int
    done: int
    percent_done: float
    calls_in_progress: int
    next_window_opening: datetime | None
    window_open_now: bool


def campaigns_lead_counts(*, campaign_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Lead counts per status for many campaigns in one GROUP BY (list pages)."""
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(LeadStatus.values, 0) for pk in campaign_ids}
    rows = (
        Lead.objects.filter(campaign_id__in=list(counts))
        .values_list("campaign_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for campaign_id, status, n in rows:
        counts[campaign_id][status] = n
    return counts


def progress_from_counts(
    campaign: Campaign, counts: dict[str, int], now: datetime | None = None
) -> CampaignProgress:
    now = now or timezone.now()
    total = sum(counts.values())
    done = sum(n for status, n in counts.items() if status in Lead.FINAL_STATUSES)
    opening = None
    if campaign.status not in Campaign.FINAL_STATUSES:
        opening = campaign_hours(campaign).next_opening(now)
    return CampaignProgress(
        counts=counts,
        total=total,
        done=done,
        percent_done=round(100.0 * done / total, 1) if total else 0.0,
        calls_in_progress=counts.get(LeadStatus.CALLING, 0),
        next_window_opening=opening,
        window_open_now=opening is not None and opening <= now,
    )


def campaign_progress(*, campaign: Campaign, now: datetime | None = None) -> CampaignProgress:
    counts = campaigns_lead_counts(campaign_ids=[campaign.pk])[campaign.pk]
    return progress_from_counts(campaign, counts, now)


# The old system's React client knows these words only.
LEGACY_CAMPAIGN_STATUS = {
    CampaignStatus.DRAFT: "pending",
    CampaignStatus.SCHEDULED: "pending",
    CampaignStatus.RUNNING: "running",
    CampaignStatus.PAUSED: "paused",
    CampaignStatus.COMPLETED: "completed",
    CampaignStatus.CANCELLED: "completed",
}
CAMPAIGN_STATUS_FROM_LEGACY = {
    "pending": CampaignStatus.SCHEDULED,
    "scheduled": CampaignStatus.SCHEDULED,
    "draft": CampaignStatus.DRAFT,
    "running": CampaignStatus.RUNNING,
    "paused": CampaignStatus.PAUSED,
}
LEGACY_LEAD_STATUS = {
    LeadStatus.PENDING: "pending",
    LeadStatus.SCHEDULED: "pending",
    LeadStatus.CALLING: "called",
    LeadStatus.COMPLETED: "completed",
    LeadStatus.INCOMPLETE: "incomplete",
    LeadStatus.UNREACHABLE: "unreached",
    LeadStatus.OPTED_OUT: "rejected_opt_out",
    LeadStatus.DO_NOT_CALL: "rejected_opt_out",
    LeadStatus.INVALID: "failed",
    LeadStatus.CANCELLED: "failed",
}


def legacy_campaign_status(status: str) -> str:
    return LEGACY_CAMPAIGN_STATUS[CampaignStatus(status)]


def campaign_status_from_legacy(word: str) -> str:
    """Raises KeyError for words a new campaign cannot take (e.g. "completed")."""
    return CAMPAIGN_STATUS_FROM_LEGACY[word]


def legacy_lead_status(status: str) -> str:
    return LEGACY_LEAD_STATUS[LeadStatus(status)]
