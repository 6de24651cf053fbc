from django.db import models
from django.db.models import QuerySet

from agents_app.models import AgentDefaults, PromptTemplate, VoiceAgent


def prompt_template_list(*, limit: int = 200) -> QuerySet[PromptTemplate]:
    return PromptTemplate.objects.order_by("name", "id")[:limit]


def voice_agent_first() -> VoiceAgent | None:
    """The agent the old client edits: the first of GET /api/agents (lowest id)."""
    return VoiceAgent.objects.order_by("id").first()


def agent_defaults_llm_model() -> str:
    """The LLM new agents get: the configured default, else the model field's own default."""
    configured = AgentDefaults.objects.filter(pk=AgentDefaults.SINGLETON_PK).values_list(
        "llm_model", flat=True
    )
    return next(iter(configured), "") or voice_agent_field_default("llm_model")


def voice_agent_field_default(name: str) -> str:
    field = VoiceAgent._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.get_default())
