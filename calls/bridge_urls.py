"""The old system's endpoints, kept at the site root for the voice agents and LiveKit."""

from django.urls import URLPattern, path

from calls import apis

urlpatterns: list[URLPattern] = [
    path("iniciar-encuesta", apis.IniciarEncuestaApi.as_view(), name="iniciar-encuesta"),
    path("guardar-encuesta", apis.GuardarEncuestaApi.as_view(), name="guardar-encuesta"),
    path("colgar", apis.ColgarApi.as_view(), name="colgar"),
    path("webhooks/livekit", apis.LiveKitWebhookApi.as_view(), name="livekit-webhook"),
]
