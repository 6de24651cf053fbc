"""Writes behind the old React client's agent editor and AI Models view."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents_app.models import AgentDefaults, PromptTemplate, VoiceAgent
from agents_app.pipeline_mapping import join_llm, pipeline_fields
from agents_app.services import voice_agent_update


@transaction.atomic
def prompt_template_create(*, name: str, description: str = "", content: str) -> PromptTemplate:
    template = PromptTemplate(name=name, description=description, content=content)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def voice_agent_pipeline_update(*, agent: VoiceAgent, data: dict[str, str]) -> VoiceAgent:
    """Apply the client's `{llm_provider, llm_model, ...}` through the agent's own update."""
    agent = VoiceAgent.objects.select_for_update().get(pk=agent.pk)
    # set before the save, so updated_at (auto_now, stamped later) is never older than it
    agent.pipeline_updated_at = timezone.now()
    return voice_agent_update(agent=agent, data=pipeline_fields(agent, data))


@transaction.atomic
def agent_defaults_llm_set(*, provider: str, model: str) -> AgentDefaults:
    value = join_llm(provider, model)
    # Validated as an agent's llm_model is.
    try:
        VoiceAgent(llm_model=value).clean_fields(
            exclude=[f.name for f in VoiceAgent._meta.fields if f.name != "llm_model"]
        )
    except ValidationError as exc:
        raise ValidationError(
            {"llm_model": exc.message_dict.get("llm_model", [_("Modelo no válido.")])}
        ) from exc
    defaults, _created = AgentDefaults.objects.update_or_create(
        pk=AgentDefaults.SINGLETON_PK, defaults={"llm_model": value}
    )
    return defaults
