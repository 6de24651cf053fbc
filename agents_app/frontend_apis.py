"""The old React client's agent editor (prompts, AI config) and AI Models / Usage requests."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents_app.frontend_selectors import agent_defaults_llm_model, prompt_template_list, voice_agent_first
from agents_app.frontend_serializers import (
    AiConfigSerializer,
    LlmSettingsSerializer,
    PromptTemplateInputSerializer,
    PromptTemplateOutputSerializer,
)
from agents_app.frontend_services import (
    agent_defaults_llm_set,
    prompt_template_create,
    voice_agent_pipeline_update,
)
from agents_app.pipeline_mapping import agent_pipeline, split_llm
from agents_app.provider_status import ai_limits, google_diagnosis, integrations_status
from config.limits import list_limit
from config.permissions import RequiredPermissions

LIMIT = OpenApiParameter("limit", int, description="1–1000; 200 por defecto.")


class PromptTemplateListCreateApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {
        "GET": ("agents_app.view_prompttemplate",),
        "POST": ("agents_app.add_prompttemplate",),
    }

    @extend_schema(parameters=[LIMIT], responses=PromptTemplateOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        templates = prompt_template_list(limit=list_limit(request))
        return Response(PromptTemplateOutputSerializer(templates, many=True).data)

    @extend_schema(request=PromptTemplateInputSerializer, responses={201: PromptTemplateOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = PromptTemplateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = prompt_template_create(**serializer.validated_data)
        return Response(PromptTemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)


class AiConfigApi(APIView):
    """The pipeline of the agent the old client edits (the first one), as provider/model pairs."""

    permission_classes = [RequiredPermissions]
    required_permissions = {
        "GET": ("agents_app.view_voiceagent",),
        "POST": ("agents_app.change_voiceagent",),
    }

    @extend_schema(responses=AiConfigSerializer)
    def get(self, request: Request) -> Response:
        agent = voice_agent_first()
        # {} tells the client to keep its own defaults.
        return Response(agent_pipeline(agent) if agent else {})

    @extend_schema(request=AiConfigSerializer, responses=AiConfigSerializer)
    def post(self, request: Request) -> Response:
        serializer = AiConfigSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agent = voice_agent_first()
        if agent is None:
            raise NotFound(_("No hay ningún agente de voz: crea uno antes de configurar sus modelos."))
        agent = voice_agent_pipeline_update(agent=agent, data=dict(serializer.validated_data))
        return Response(agent_pipeline(agent))


class LlmSettingsApi(APIView):
    """The default LLM of new agents."""

    permission_classes = [RequiredPermissions]
    required_permissions = {
        "GET": ("agents_app.view_agentdefaults",),
        "POST": ("agents_app.change_agentdefaults",),
    }

    @extend_schema(responses=LlmSettingsSerializer)
    def get(self, request: Request) -> Response:
        provider, model = split_llm(agent_defaults_llm_model())
        return Response({"llm_provider": provider, "llm_model": model})

    @extend_schema(request=LlmSettingsSerializer, responses=LlmSettingsSerializer)
    def post(self, request: Request) -> Response:
        serializer = LlmSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        defaults = agent_defaults_llm_set(
            provider=serializer.validated_data["llm_provider"], model=serializer.validated_data["llm_model"]
        )
        provider, model = split_llm(defaults.llm_model)
        return Response({"llm_provider": provider, "llm_model": model})


INTEGRATION = inline_serializer(
    "Integration",
    {
        "name": serializers.CharField(),
        "provider": serializers.CharField(),
        "active": serializers.BooleanField(),
        "model": serializers.CharField(allow_null=True),
        "url": serializers.CharField(),
        "env_var": serializers.CharField(),
    },
    many=True,
)


class IntegrationsApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("agents_app.view_voiceagent",)}

    @extend_schema(responses=INTEGRATION)
    def get(self, request: Request) -> Response:
        return Response(integrations_status())


class AiLimitsApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("agents_app.view_voiceagent",)}

    # Optional blocks per provider (groq_models, openai, deepseek, ...): free-form by design.
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(ai_limits())


class GoogleDiagnosisApi(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("agents_app.view_voiceagent",)}

    @extend_schema(
        responses=inline_serializer(
            "GoogleDiagnosis",
            {
                "status": serializers.CharField(),
                "available_models": serializers.ListField(child=serializers.CharField()),
                "detail": serializers.CharField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        return Response(google_diagnosis())
