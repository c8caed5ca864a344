from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from boutique.core.views import healthz, prometheus_metrics, readyz

from .api import api

admin.site.site_header = f"{settings.SHOP_NAME} back office"
admin.site.site_title = f"{settings.SHOP_NAME} back office"
admin.site.index_title = "Run the shop"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", prometheus_metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("boutique.storefront.urls")),
]

handler400 = "boutique.core.views.bad_request"
handler403 = "boutique.core.views.permission_denied"
handler404 = "boutique.core.views.page_not_found"
handler500 = "boutique.core.views.server_error"

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
