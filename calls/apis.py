import logging

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from agents_app.models import VoiceAgent
from calls.filters import CallFilter, EncuestaFilter
from calls.models import Call, Encuesta
from calls.selectors import call_list, dashboard_stats, encuesta_list
from calls.serializers import (
    CallOutputSerializer,
    ColgarInputSerializer,
    ColgarOutputSerializer,
    DashboardStatsSerializer,
    EncuestaDetailOutputSerializer,
    EncuestaOutputSerializer,
    GuardarEncuestaInputSerializer,
    GuardarEncuestaOutputSerializer,
    IniciarEncuestaInputSerializer,
    IniciarEncuestaOutputSerializer,
    LiveKitWebhookOutputSerializer,
    OutboundCallInputSerializer,
    OutboundCallOutputSerializer,
)
from calls.services import call_handle_webhook, call_hangup, call_request, encuesta_create, encuesta_save
from config.authentication import BridgeTokenAuthentication, IsBridge
from config.permissions import RequiredPermissions
from telephony.webhooks import webhook_receive

logger = logging.getLogger(__name__)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class EncuestaListApi(ListAPIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_encuesta",)}
    serializer_class = EncuestaOutputSerializer
    pagination_class = StandardPagination
    filterset_class = EncuestaFilter
    queryset = encuesta_list()


class EncuestaDetailApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_encuesta",)}

    @extend_schema(responses=EncuestaDetailOutputSerializer)
    def get(self, request: Request, encuesta_id: int) -> Response:
        encuesta = get_object_or_404(encuesta_list().prefetch_related("calls"), pk=encuesta_id)
        data = EncuestaDetailOutputSerializer(encuesta).data
        if not request.user.has_perm("calls.view_transcript"):
            data["transcription"] = None
        return Response(data)


class CallListApi(ListAPIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_call",)}
    serializer_class = CallOutputSerializer
    pagination_class = StandardPagination
    filterset_class = CallFilter
    queryset = call_list()


class CallDetailApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_call",)}

    @extend_schema(responses=CallOutputSerializer)
    def get(self, request: Request, call_id: int) -> Response:
        return Response(CallOutputSerializer(get_object_or_404(call_list(), pk=call_id)).data)


class DashboardStatsApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("calls.view_encuesta",)}

    @extend_schema(responses=DashboardStatsSerializer)
    def get(self, request: Request) -> Response:
        return Response(DashboardStatsSerializer(dashboard_stats()).data)


class BridgeApi(APIView):
    """Endpoints the voice agents call; they authenticate with the shared BRIDGE_TOKEN."""

    authentication_classes = [BridgeTokenAuthentication]
    permission_classes = [IsBridge]


class IniciarEncuestaApi(BridgeApi):
    @extend_schema(
        request=IniciarEncuestaInputSerializer,
        responses={201: IniciarEncuestaOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = IniciarEncuestaInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agent = None
        if data.get("voice_agent_id") is not None:
            agent = VoiceAgent.objects.filter(pk=data["voice_agent_id"]).first()
            if agent is None:
                raise NotFound(_("El agente %(id)s no existe.") % {"id": data["voice_agent_id"]})
        encuesta = encuesta_create(
            phone=data["phone"], voice_agent=agent, customer_name=data.get("customer_name", "")
        )
        return Response(IniciarEncuestaOutputSerializer(encuesta).data, status=status.HTTP_201_CREATED)


def guardar_encuesta(serializer: GuardarEncuestaInputSerializer) -> Encuesta:
    """Save what a valid /guardar-encuesta body says (the view and the WSGI fast path share it)."""
    data = serializer.validated_data
    try:
        return encuesta_save(
            encuesta_id=data["id_encuesta"],
            answers=serializer.answers(),
            status=data.get("status"),
            transcription=data.get("transcription"),
            seconds_used=data.get("seconds_used"),
            tokens_used=data.get("tokens_used"),
            llm_model=data.get("llm_model"),
        )
    except Encuesta.DoesNotExist:
        raise NotFound(
            _("La encuesta %(id)s no existe; no se ha guardado nada.") % {"id": data["id_encuesta"]}
        ) from None


class GuardarEncuestaApi(BridgeApi):
    """Also answered, on its happy path, by calls.bridge_fast_path before Django's stack."""

    @extend_schema(
        request=GuardarEncuestaInputSerializer,
        responses={200: GuardarEncuestaOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = GuardarEncuestaInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(GuardarEncuestaOutputSerializer(guardar_encuesta(serializer)).data)


class OutboundCallApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": ("calls.place_call",)}
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "outbound_calls"

    @extend_schema(
        request=OutboundCallInputSerializer,
        responses={200: OutboundCallOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        serializer = OutboundCallInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agent = VoiceAgent.objects.filter(pk=data["agent_id"]).first()
        if agent is None:
            raise ValidationError({"agentId": [_("El agente %(id)s no existe.") % {"id": data["agent_id"]}]})
        key = request.headers.get("Idempotency-Key", "").strip()[:128] or None
        call = call_request(
            agent=agent,
            phone=data["phone"],
            customer_name=data.get("customer_name", ""),
            requested_by=request.user,
            idempotency_key=key,
        )
        return Response(OutboundCallOutputSerializer(call).data)


class CallHangupApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": ("calls.hangup_call",)}

    @extend_schema(request=None, responses={202: CallOutputSerializer})
    def post(self, request: Request, call_id: int) -> Response:
        call = call_hangup(call=get_object_or_404(call_list(), pk=call_id))
        return Response(CallOutputSerializer(call).data, status=status.HTTP_202_ACCEPTED)


class ColgarApi(BridgeApi):
    @extend_schema(
        request=ColgarInputSerializer,
        responses={202: ColgarOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ColgarInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        room = serializer.validated_data["nombre_sala"]
        call = Call.objects.filter(room_name=room).first()
        if call is None:
            raise NotFound(_("No hay ninguna llamada en la sala «%(room)s».") % {"room": room})
        call_hangup(call=call, delay=settings.CALL_HANGUP_DELAY_SECONDS)
        return Response(ColgarOutputSerializer(call).data, status=status.HTTP_202_ACCEPTED)


class LiveKitWebhookApi(APIView):
    """LiveKit's signed webhooks. The signature is the authentication."""

    authentication_classes: list = []
    permission_classes: list = []
    parser_classes: list = []

    @extend_schema(request=None, responses={200: LiveKitWebhookOutputSerializer})
    def post(self, request: Request) -> Response:
        event = webhook_receive(
            body=request.body.decode(), authorization=request.headers.get("Authorization", "")
        )
        changed = call_handle_webhook(event=event)
        return Response(LiveKitWebhookOutputSerializer({"status": "ok", "changed": changed}).data)
