"""Deleting a campaign (the old client's DELETE), refused while its calls are still going on."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from calls.models import Campaign, Lead


@transaction.atomic
def campaign_delete(*, campaign_id: int) -> str:
    """Delete the campaign and its leads (their surveys and calls stay); returns its name."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if Lead.objects.filter(campaign_id=campaign_id, status=Lead.Status.CALLING).exists():
        raise ValidationError(
            _("La campaña «%(name)s» tiene llamadas en curso: páusela o cancélela y espere a que terminen.")
            % {"name": campaign.name},
            code="calls_in_progress",
        )
    name = campaign.name
    campaign.delete()
    return name
