from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("beneficiaries.api.urls")),
    path("", include("activities.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("incidents/", include("incidents.urls")),
    path("beneficiaries/", include("beneficiaries.urls")),
    path("activities/", include("activities.urls")),
    path("alerts/", include("alerts.urls")),
    path("reports/", include("reports.urls", namespace="reports")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, which the Content-Security-Policy allows (no inline script);
    # Swagger UI sets inline styles, so this page alone may use them.
    path(
        "api/docs/",
        login_required(
            csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
        ),
        name="api-docs",
    ),
]
