from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("taizhang.api.urls")),
    path("open311/v2/", include("taizhang.open311.urls")),
    path("", include("taizhang.campaigns.urls")),
    path("", include("taizhang.identity.urls")),
    path("", include("taizhang.core.urls")),
    path("", include("taizhang.audit.urls")),
    path("", include("taizhang.api.page_urls")),
    path("", include("taizhang.reports.urls")),
    path("", include("taizhang.ledger.urls")),
    path("", include("taizhang.catalogue.urls")),
    path("", include("taizhang.intake.urls")),
    path("", include("taizhang.triage.urls")),
    path("", include("taizhang.notifications.urls")),
    path("", include("taizhang.supervision.urls")),
    path("", include("taizhang.evaluation.urls")),
    path("", include("taizhang.meetings.urls")),
    path("", include("taizhang.projects.urls")),
    path("", include("taizhang.sheets.urls")),
    path("", include("taizhang.workdays.urls")),
    path("", include("taizhang.todo.urls")),
    path("", include("taizhang.search.urls")),
]

handler400 = "taizhang.core.errors.bad_request"
handler403 = "taizhang.core.errors.permission_denied"
handler404 = "taizhang.core.errors.page_not_found"
handler500 = "taizhang.core.errors.server_error"
