from django.urls import path

from taizhang.projects import views

urlpatterns = [
    path("c/<slug:slug>/projects/", views.project_overview, name="project_overview"),
    path("c/<slug:slug>/projects/list/", views.project_list, name="project_list"),
    path("c/<slug:slug>/projects/new/", views.project_form, name="project_new"),
    path("c/<slug:slug>/projects/<int:pk>/edit/", views.project_form, name="project_edit"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/<slug:action>/", views.project_act, name="project_act"),
    path("projects/evidence/<int:pk>/", views.stage_evidence, name="stage_evidence"),
]
