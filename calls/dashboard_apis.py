"""The old React client's Overview, Results, Usage and Telephony requests (bare JSON arrays)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.alert_selectors import alert_list_open
from calls.dashboard_selectors import encuesta_recent, usage_stats
from calls.dashboard_serializers import (
    AlertOutputSerializer,
    CleanupOutputSerializer,
    RecentCallOutputSerializer,
    ResultOutputSerializer,
    UsageStatsSerializer,
)
from calls.models import Alert
from calls.services.alerts import alert_resolve
from calls.services.cleanup import calls_end_all_live
from config.limits import list_limit
from config.permissions import RequiredPermissions

LIMIT = OpenApiParameter("limit", int, description="1–1000; 200 por defecto (los más recientes).")


class AlertListApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_alert",)}

    @extend_schema(parameters=[LIMIT], responses=AlertOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(AlertOutputSerializer(alert_list_open(limit=list_limit(request)), many=True).data)


class AlertResolveApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": ("calls.change_alert",)}

    @extend_schema(request=None, responses=AlertOutputSerializer)
    def post(self, request: Request, alert_id: int) -> Response:
        alert = alert_resolve(alert=get_object_or_404(Alert, pk=alert_id), user=request.user)
        return Response(AlertOutputSerializer(alert).data)


class RecentCallsApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_encuesta",)}

    @extend_schema(parameters=[LIMIT], responses=RecentCallOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = encuesta_recent(limit=list_limit(request))
        return Response(RecentCallOutputSerializer(rows, many=True).data)


class ResultListApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_encuesta", "calls.view_transcript")}

    @extend_schema(parameters=[LIMIT], responses=ResultOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = encuesta_recent(limit=list_limit(request))
        return Response(ResultOutputSerializer(rows, many=True).data)


class UsageStatsApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_encuesta",)}

    @extend_schema(responses=UsageStatsSerializer)
    def get(self, request: Request) -> Response:
        return Response(UsageStatsSerializer(usage_stats()).data)


class CallsCleanupApi(APIView):
    """The old «Resetear salas»: hang up every live call, recorded under the requesting user."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": ("calls.hangup_call",)}

    @extend_schema(request=None, responses=CleanupOutputSerializer)
    def post(self, request: Request) -> Response:
        return Response(CleanupOutputSerializer(calls_end_all_live(user=request.user)).data)
