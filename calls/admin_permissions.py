from django.http import HttpRequest


class CallPermissionsAdminMixin:
    """Admin actions check the same explicit permissions as the API (`@admin.action(permissions=...)`)."""

    def has_place_call_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("calls.place_call")

    def has_hangup_call_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("calls.hangup_call")

    def has_export_encuesta_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("calls.export_encuesta")

    def has_add_donotcallentry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("calls.add_donotcallentry")
