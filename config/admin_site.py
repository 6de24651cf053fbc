"""The project's admin site: Django's, with the staff dashboard as its index page."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import path


class AgenteLocalAdminSite(admin.AdminSite):
    index_template = "admin/dashboard.html"

    def index(self, request, extra_context=None):
        from calls.staff_dashboard import dashboard_context

        return super().index(request, extra_context={**dashboard_context(request), **(extra_context or {})})

    def get_urls(self):
        from calls.staff_dashboard import dashboard_live

        live = path("dashboard/live/", self.admin_view(dashboard_live), name="dashboard-live")
        return [live, *super().get_urls()]


class AgenteLocalAdminConfig(AdminConfig):
    default_site = "config.admin_site.AgenteLocalAdminSite"
