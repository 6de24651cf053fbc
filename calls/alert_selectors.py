from django.db.models import QuerySet

from calls.models import Alert


def alert_list_open(*, limit: int = 200) -> QuerySet[Alert]:
    """Open alerts, newest first."""
    return Alert.objects.filter(resolved_at__isnull=True).order_by("-created_at", "-id")[:limit]


def alert_open_count() -> int:
    return Alert.objects.filter(resolved_at__isnull=True).count()
