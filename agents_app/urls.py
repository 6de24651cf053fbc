from django.urls import path

from agents_app.apis import VoiceAgentDetailApi, VoiceAgentListCreateApi
from agents_app.frontend_urls import urlpatterns as frontend_urlpatterns

urlpatterns = [
    path("agents", VoiceAgentListCreateApi.as_view(), name="agents"),
    path("agents/<int:agent_id>", VoiceAgentDetailApi.as_view(), name="agent-detail"),
]

urlpatterns += frontend_urlpatterns
