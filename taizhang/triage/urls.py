from django.urls import path

from taizhang.triage import views

urlpatterns = [
    path("c/<slug:slug>/triage/", views.overview, name="triage_overview"),
    path("c/<slug:slug>/triage/clusters/<int:pk>/", views.cluster, name="triage_cluster"),
    path(
        "c/<slug:slug>/triage/clusters/<int:pk>/merge/",
        views.merge_cluster,
        name="triage_cluster_merge",
    ),
    path("c/<slug:slug>/triage/runs/", views.start, name="triage_start"),
    path("c/<slug:slug>/triage/runs/<int:pk>/", views.run_status, name="triage_run"),
    path("c/<slug:slug>/triage/runs/<int:pk>/cancel/", views.cancel, name="triage_cancel"),
    path("c/<slug:slug>/triage/settings/", views.settings_page, name="triage_settings"),
    path("suggestions/<int:pk>/decide/", views.decide, name="triage_decide"),
    path("c/<slug:slug>/problems/similar/", views.similar_problems, name="similar_problems"),
]
