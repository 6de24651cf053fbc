"""The old system's campaign API (its React client's calls), on top of the campaign services."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from agents_app.models import VoiceAgent
from calls.campaign_legacy import campaign_leads_with_surveys, campaigns_with_totals
from calls.campaign_selectors import legacy_lead_status
from calls.campaign_serializers import (
    CampaignCreateInputSerializer,
    CampaignDetailOutputSerializer,
    CampaignInputSerializer,
    CampaignOutputSerializer,
    CampaignUpdateInputSerializer,
    LeadsAddedOutputSerializer,
)
from calls.lead_files import LeadTable, read_lead_file, table_from_records
from calls.models import Campaign, Lead
from calls.services.campaign_removal import campaign_delete
from calls.services.campaigns import (
    campaign_cancel,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_retry_failed,
    campaign_start,
    campaign_update,
    lead_retry,
)
from calls.services.lead_import import ImportResult, leads_import
from config.permissions import RequiredPermissions

VIEW, ADD, CHANGE, DELETE = (f"calls.{a}_campaign" for a in ("view", "add", "change", "delete"))
MAX_LEADS_PER_REQUEST = 100_000
DEFAULT_LEADS_LIMIT = 1000
MAX_LEADS_LIMIT = 10_000


def _messages(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [
            m
            for key, value in detail.items()
            for m in _messages(value, "" if key in ("non_field_errors", "__all__") else f"{prefix}{key}: ")
        ]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value, prefix)]
    return [f"{prefix}{detail}"]


def campaign_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every error carries a top-level `detail` string (the old client shows `data.detail`)."""
    from config.exceptions import api_exception_handler

    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound(_("No existe."))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {"detail": " ".join(_messages(exc.detail)), "errors": exc.detail},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return api_exception_handler(exc, context)


class CampaignApi(APIView):
    permission_classes = [RequiredPermissions]

    def get_exception_handler(self) -> Callable:
        return campaign_exception_handler


def _campaign_out(campaign_id: int) -> dict:
    return CampaignOutputSerializer(get_object_or_404(campaigns_with_totals(), pk=campaign_id)).data


def _leads_table(request: Request, body: Any) -> LeadTable:
    """Leads from a multipart file (CSV/XLSX), a JSON list, {"leads": [...]} or one lead object."""
    upload = request.FILES.get("file") or request.FILES.get("csv")
    if upload is not None:
        return read_lead_file(upload.file)
    if isinstance(body, dict):
        body = body.get("leads", [body] if ("phone_number" in body or "phone" in body) else None)
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise exceptions.ValidationError(
            _('Envíe una lista de contactos ({"phone_number", "customer_name"}) o un fichero «file».')
        )
    if len(body) > MAX_LEADS_PER_REQUEST:
        raise exceptions.ValidationError(
            _("Como máximo %(n)d contactos por petición; use un fichero.") % {"n": MAX_LEADS_PER_REQUEST}
        )
    return table_from_records({k: v for k, v in item.items() if k != "id"} for item in body)


class CampaignListApi(CampaignApi):
    required_permissions = {"GET": (VIEW,), "POST": (ADD, "calls.add_lead")}

    @extend_schema(responses=CampaignOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CampaignOutputSerializer(campaigns_with_totals(), many=True).data)

    @extend_schema(
        request=CampaignCreateInputSerializer,
        responses={
            201: inline_serializer(
                "CampaignCreated", {"id": serializers.IntegerField(), "message": serializers.CharField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        serializer = CampaignCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agent = VoiceAgent.objects.filter(pk=data["campaign"]["agent_id"]).first()
        if agent is None:
            raise exceptions.ValidationError(
                {"agent_id": _("El agente %(id)s no existe.") % {"id": data["campaign"]["agent_id"]}}
            )
        table = (
            table_from_records({k: v for k, v in item.items() if k != "id"} for item in data["leads"])
            if data["leads"]
            else None
        )
        with transaction.atomic():
            campaign = campaign_create(
                name=data["campaign"]["name"],
                voice_agent=agent,
                created_by=request.user,
                **CampaignInputSerializer.campaign_fields(data["campaign"]),
            )
            result = leads_import(campaign_id=campaign.pk, table=table) if table else ImportResult()
            if data["campaign"]["status"] != "draft":
                campaign_start(campaign_id=campaign.pk)
        message = _("Campaña creada con %(n)d contactos.") % {"n": result.created}
        if result.rejected_total:
            message += " " + result.summary()
        return Response({"id": campaign.pk, "message": message}, status=status.HTTP_201_CREATED)


class CampaignDetailApi(CampaignApi):
    required_permissions = {"GET": (VIEW,), "PUT": (CHANGE,), "DELETE": (DELETE,)}

    @extend_schema(responses=CampaignDetailOutputSerializer)
    def get(self, request: Request, campaign_id: int) -> Response:
        campaign = get_object_or_404(campaigns_with_totals(), pk=campaign_id)
        try:
            limit = min(int(request.query_params.get("limit", DEFAULT_LEADS_LIMIT)), MAX_LEADS_LIMIT)
            offset = max(int(request.query_params.get("offset", 0)), 0)
        except ValueError:
            raise exceptions.ValidationError(_("«limit» y «offset» deben ser números enteros.")) from None
        leads = campaign_leads_with_surveys(campaign_id=campaign.pk)[offset : offset + max(limit, 0)]
        return Response(CampaignDetailOutputSerializer({"campaign": campaign, "leads": leads}).data)

    @extend_schema(request=CampaignUpdateInputSerializer, responses=CampaignOutputSerializer)
    def put(self, request: Request, campaign_id: int) -> Response:
        serializer = CampaignUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign_update(campaign_id=campaign_id, **serializer.campaign_fields())
        return Response(_campaign_out(campaign_id))

    @extend_schema(
        responses={
            200: inline_serializer(
                "CampaignDeleted", {"status": serializers.CharField(), "message": serializers.CharField()}
            )
        }
    )
    def delete(self, request: Request, campaign_id: int) -> Response:
        name = campaign_delete(campaign_id=campaign_id)
        return Response({"status": "ok", "message": _("Campaña «%(name)s» eliminada.") % {"name": name}})


class CampaignLeadsApi(CampaignApi):
    required_permissions = {"POST": (CHANGE, "calls.add_lead")}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=None, responses={201: LeadsAddedOutputSerializer})
    def post(self, request: Request, campaign_id: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        table = _leads_table(request, request.data)
        result = leads_import(campaign_id=campaign.pk, table=table)
        result_data = {"status": "success", "message": result.summary()}
        body = LeadsAddedOutputSerializer(
            {**result_data, **vars(result), "rejected_total": result.rejected_total}
        )
        return Response(body.data, status=status.HTTP_201_CREATED)


class CampaignRetryApi(CampaignApi):
    required_permissions = {"POST": (CHANGE,)}

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "CampaignRetried",
            {"status": serializers.CharField(), "retried_count": serializers.IntegerField()},
        ),
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        get_object_or_404(Campaign, pk=campaign_id)
        return Response(
            {"status": "success", "retried_count": campaign_retry_failed(campaign_id=campaign_id)}
        )


class LeadRetryApi(CampaignApi):
    required_permissions = {"POST": (CHANGE,)}

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "LeadRetried",
            {
                "status": serializers.CharField(),
                "lead_id": serializers.IntegerField(),
                "lead_status": serializers.CharField(),
            },
        ),
    )
    def post(self, request: Request, lead_id: int) -> Response:
        get_object_or_404(Lead, pk=lead_id)
        lead = lead_retry(lead_id=lead_id)
        return Response(
            {"status": "success", "lead_id": lead.pk, "lead_status": legacy_lead_status(lead.status)}
        )


ACTIONS: dict[str, Callable[..., Any]] = {
    "start": campaign_start,
    "pause": campaign_pause,
    "resume": campaign_resume,
    "cancel": campaign_cancel,
}


class CampaignActionApi(CampaignApi):
    """start, pause, resume, cancel: the campaign as the list shows it afterwards."""

    required_permissions = {"POST": (CHANGE,)}
    action = ""

    @extend_schema(request=None, responses=CampaignOutputSerializer)
    def post(self, request: Request, campaign_id: int) -> Response:
        get_object_or_404(Campaign, pk=campaign_id)
        ACTIONS[self.action](campaign_id=campaign_id)
        return Response(_campaign_out(campaign_id))


urlpatterns = [
    path("campaigns", CampaignListApi.as_view(), name="campaigns"),
    path("campaigns/<int:campaign_id>", CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<int:campaign_id>/leads", CampaignLeadsApi.as_view(), name="campaign-leads"),
    path("campaigns/<int:campaign_id>/retry", CampaignRetryApi.as_view(), name="campaign-retry"),
    path("campaigns/leads/<int:lead_id>/retry", LeadRetryApi.as_view(), name="campaign-lead-retry"),
    *(
        path(
            f"campaigns/<int:campaign_id>/{action}",
            CampaignActionApi.as_view(action=action),
            name=f"campaign-{action}",
        )
        for action in ACTIONS
    ),
]
