from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.models import Alert
from calls.services.alerts import alert_resolve


class OpenFilter(admin.SimpleListFilter):
    title = _("estado")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("Abiertas")), ("0", _("Resueltas"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "message",
        "occurrences",
        "last_seen_at",
        "resolved_at",
        "resolved_by",
    ]
    list_filter = [OpenFilter, "kind"]
    search_fields = ["message", "dedupe_key"]
    readonly_fields = [
        "kind",
        "message",
        "dedupe_key",
        "occurrences",
        "created_at",
        "last_seen_at",
        "resolved_at",
        "resolved_by",
    ]
    list_select_related = ["resolved_by"]
    actions = ["resolve_alerts"]

    def has_add_permission(self, request) -> bool:
        return False  # raised by the system only

    @admin.action(description=_("Marcar como resueltas"), permissions=["change"])
    def resolve_alerts(self, request, queryset):
        resolved = 0
        for alert in queryset.filter(resolved_at__isnull=True):
            try:
                alert_resolve(alert=alert, user=request.user)
                resolved += 1
            except ValidationError:
                continue  # resolved meanwhile by someone else
        self.message_user(request, _("%(count)s alertas resueltas.") % {"count": resolved}, messages.SUCCESS)
