from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from calls.urls import bridge_urlpatterns
from config.frontend import frontend_index

admin.site.site_header = "AgenteLocal"
admin.site.site_title = "AgenteLocal"
admin.site.index_title = _("Administración")

api_urlpatterns = [
    path("", include("agents_app.urls")),
    path("", include("telephony.urls")),
    path("", include("calls.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
    *bridge_urlpatterns,
    path("", frontend_index, name="frontend"),
]
