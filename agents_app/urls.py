from django.urls import path

from agents_app.apis import VoiceAgentDetailApi, VoiceAgentListCreateApi

urlpatterns = [
    path("agents", VoiceAgentListCreateApi.as_view(), name="agents"),
    path("agents/<int:agent_id>", VoiceAgentDetailApi.as_view(), name="agent-detail"),
]
