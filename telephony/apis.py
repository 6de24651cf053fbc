from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.permissions import RequiredPermissions
from telephony.selectors import telephony_config_get_default
from telephony.serializers import TelephonyConfigInputSerializer, TelephonyConfigOutputSerializer
from telephony.services import parse_from_numbers, telephony_config_save_default


class TelephonyConfigApi(APIView):
    permission_classes = [RequiredPermissions]
    # The POST creates the default config or updates it.
    required_permissions = {
        "GET": ("telephony.view_telephonyconfig",),
        "POST": ("telephony.add_telephonyconfig", "telephony.change_telephonyconfig"),
    }

    @extend_schema(responses=TelephonyConfigOutputSerializer)
    def get(self, request: Request) -> Response:
        config = telephony_config_get_default()
        if config is None:
            raise Http404(_("Todavía no hay configuración de telefonía."))
        return Response(TelephonyConfigOutputSerializer(config).data)

    @extend_schema(
        request=TelephonyConfigInputSerializer,
        responses={200: TelephonyConfigOutputSerializer, 201: TelephonyConfigOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = TelephonyConfigInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {**serializer.validated_data}
        data["from_numbers"] = parse_from_numbers(data["from_numbers"])
        config, created = telephony_config_save_default(**data)
        return Response(
            TelephonyConfigOutputSerializer(config).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
