from django.urls import path

from calls import apis, campaign_apis
from calls.dashboard_urls import urlpatterns as dashboard_urlpatterns

urlpatterns = [
    path("encuestas", apis.EncuestaListApi.as_view(), name="encuestas"),
    path("encuestas/<int:encuesta_id>", apis.EncuestaDetailApi.as_view(), name="encuesta-detail"),
    path("calls", apis.CallListApi.as_view(), name="calls"),
    path("calls/outbound", apis.OutboundCallApi.as_view(), name="calls-outbound"),
    path("calls/<int:call_id>", apis.CallDetailApi.as_view(), name="call-detail"),
    path("calls/<int:call_id>/hangup", apis.CallHangupApi.as_view(), name="call-hangup"),
    path("dashboard/stats", apis.DashboardStatsApi.as_view(), name="dashboard-stats"),
    *campaign_apis.urlpatterns,
    *dashboard_urlpatterns,
]
