from django.urls import path

from agents_app import frontend_apis

urlpatterns = [
    path("prompts", frontend_apis.PromptTemplateListCreateApi.as_view(), name="prompts"),
    path("ai/config", frontend_apis.AiConfigApi.as_view(), name="ai-config"),
    path("ai/limits", frontend_apis.AiLimitsApi.as_view(), name="ai-limits"),
    path("ai/diagnose-google", frontend_apis.GoogleDiagnosisApi.as_view(), name="ai-diagnose-google"),
    path("settings", frontend_apis.LlmSettingsApi.as_view(), name="llm-settings"),
    path("dashboard/integrations", frontend_apis.IntegrationsApi.as_view(), name="dashboard-integrations"),
]
