from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents_app.selectors import voice_agent_list
from agents_app.serializers import VoiceAgentInputSerializer, VoiceAgentOutputSerializer
from agents_app.services import voice_agent_create, voice_agent_delete, voice_agent_update
from config.permissions import RequiredPermissions


class VoiceAgentListCreateApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("agents_app.view_voiceagent",), "POST": ("agents_app.add_voiceagent",)}

    @extend_schema(responses=VoiceAgentOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(VoiceAgentOutputSerializer(voice_agent_list(), many=True).data)

    @extend_schema(request=VoiceAgentInputSerializer, responses={201: VoiceAgentOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = VoiceAgentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agent = voice_agent_create(**serializer.validated_data)
        return Response(VoiceAgentOutputSerializer(agent).data, status=status.HTTP_201_CREATED)


class VoiceAgentDetailApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {
        "GET": ("agents_app.view_voiceagent",),
        "PUT": ("agents_app.change_voiceagent",),
        "PATCH": ("agents_app.change_voiceagent",),
        "DELETE": ("agents_app.delete_voiceagent",),
    }

    @extend_schema(responses=VoiceAgentOutputSerializer)
    def get(self, request: Request, agent_id: int) -> Response:
        agent = get_object_or_404(voice_agent_list(), pk=agent_id)
        return Response(VoiceAgentOutputSerializer(agent).data)

    @extend_schema(request=VoiceAgentInputSerializer, responses=VoiceAgentOutputSerializer)
    def put(self, request: Request, agent_id: int) -> Response:
        return self._update(request, agent_id, partial=False)

    @extend_schema(request=VoiceAgentInputSerializer, responses=VoiceAgentOutputSerializer)
    def patch(self, request: Request, agent_id: int) -> Response:
        return self._update(request, agent_id, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, agent_id: int) -> Response:
        voice_agent_delete(agent=get_object_or_404(voice_agent_list(), pk=agent_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @transaction.atomic
    def _update(self, request: Request, agent_id: int, *, partial: bool) -> Response:
        agent = get_object_or_404(voice_agent_list().select_for_update(), pk=agent_id)
        serializer = VoiceAgentInputSerializer(agent, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            sent = request.data.get("updatedAt") if isinstance(request.data, dict) else None
            read_at = parse_datetime(str(sent or ""))
        except ValueError:
            read_at = None
        agent = voice_agent_update(agent=agent, data=dict(serializer.validated_data), read_at=read_at)
        return Response(VoiceAgentOutputSerializer(agent).data)
