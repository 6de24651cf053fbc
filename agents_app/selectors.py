from django.db.models import QuerySet

from agents_app.models import VoiceAgent


def voice_agent_list() -> QuerySet[VoiceAgent]:
    return VoiceAgent.objects.prefetch_related("questions").order_by("id")
