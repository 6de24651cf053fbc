from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.frontend import frontend_index

admin.site.site_header = "AgenteLocal"
admin.site.site_title = "AgenteLocal"
admin.site.index_title = _("Administración")

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("agents_app.urls")),
    path("", include("telephony.urls")),
    path("", include("calls.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # A browser page: anonymous visitors go to the (Spanish) admin login and come back.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerView.as_view(url_name="schema"), login_url=reverse_lazy("admin:login")
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
    path("", include("calls.bridge_urls")),
    path("", frontend_index, name="frontend"),
]
