from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agents_app.agent_templates import TEMPLATES
from agents_app.frontend_selectors import agent_defaults_llm_model
from agents_app.models import SurveyQuestion, VoiceAgent
from config.services import model_update

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "call_type",
        "use_case",
        "description",
        "instructions",
        "greeting",
        "goodbye",
        "voicemail_message",
        "language",
        "stt_model",
        "llm_model",
        "tts_model",
        "voice_id",
        "dispatch_name",
        "is_active",
    }
)


@transaction.atomic
def voice_agent_create(*, name: str, **fields: Any) -> VoiceAgent:
    fields.setdefault("llm_model", agent_defaults_llm_model())
    agent = VoiceAgent(name=name, **fields)
    agent.full_clean()
    agent.save()
    return agent


PIPELINE_FIELDS = frozenset({"stt_model", "llm_model", "tts_model", "voice_id", "language"})


@transaction.atomic
def voice_agent_update(
    *, agent: VoiceAgent, data: dict[str, Any], read_at: datetime | None = None
) -> VoiceAgent:
    """`read_at`: when the caller read the agent it sends back whole (the old client's PUT).

    That client saves the agent and its models with two concurrent requests (PUT here, POST
    /api/ai/config); models saved after its read are newer than its copy, so they are kept.
    """
    if read_at is not None and agent.pipeline_updated_at and agent.pipeline_updated_at > read_at:
        data = {field: value for field, value in data.items() if field not in PIPELINE_FIELDS}
    return model_update(instance=agent, data=data, editable=EDITABLE_FIELDS)


def voice_agent_delete(*, agent: VoiceAgent) -> None:
    agent.delete()


@transaction.atomic
def voice_agent_create_from_template(*, template_key: str, name: str | None = None) -> VoiceAgent:
    """Create an agent and its questionnaire from one of the built-in templates."""
    template = TEMPLATES.get(template_key)
    if template is None:
        raise ValidationError(
            _("Plantilla desconocida «%(key)s». Disponibles: %(keys)s.")
            % {"key": template_key, "keys": ", ".join(TEMPLATES)}
        )
    agent = voice_agent_create(
        name=name or template.name,
        call_type=VoiceAgent.CallType.OUTBOUND,
        use_case=template.use_case,
        description=template.description,
        instructions=template.instructions,
        greeting=template.greeting,
        goodbye=template.goodbye,
        language=template.language,
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(agent=agent, position=i, key=key, text=text, type=type_, required=required)
        for i, (key, text, type_, required) in enumerate(template.questions, start=1)
    )
    return agent
