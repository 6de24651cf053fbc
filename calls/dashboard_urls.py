from django.urls import path

from calls import dashboard_apis

urlpatterns = [
    path("alerts", dashboard_apis.AlertListApi.as_view(), name="alerts"),
    path("alerts/<int:alert_id>/resolve", dashboard_apis.AlertResolveApi.as_view(), name="alert-resolve"),
    path("dashboard/recent-calls", dashboard_apis.RecentCallsApi.as_view(), name="dashboard-recent-calls"),
    path("dashboard/usage-stats", dashboard_apis.UsageStatsApi.as_view(), name="dashboard-usage-stats"),
    path("results", dashboard_apis.ResultListApi.as_view(), name="results"),
    path("calls/cleanup", dashboard_apis.CallsCleanupApi.as_view(), name="calls-cleanup"),
]
