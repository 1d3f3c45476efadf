from django.urls import path

from taizhang.ledger import views

urlpatterns = [
    path("c/<slug:slug>/problems/", views.problem_list, name="problem_list"),
    path("c/<slug:slug>/problems/export.<str:fmt>", views.problem_export, name="problem_export"),
    path("c/<slug:slug>/problems/new/", views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/do/<slug:action>/", views.problem_action, name="problem_action"),
    path("problems/<int:pk>/edit/", views.edit_problem, name="problem_edit"),
    path("problems/<int:pk>/print/", views.problem_print, name="problem_print"),
    path("problems/<int:pk>/area/", views.confirm_area, name="problem_confirm_area"),
    path("problems/<int:pk>/measures/", views.add_measure, name="problem_add_measure"),
    path("problems/<int:pk>/progress/", views.report_progress, name="problem_report_progress"),
    path("problems/<int:pk>/evidence/", views.upload_evidence, name="problem_upload_evidence"),
    path(
        "problems/<int:pk>/evidence/<int:evidence_id>/",
        views.download_evidence,
        name="problem_evidence",
    ),
    path("problems/<int:pk>/extensions/", views.request_extension, name="problem_extension"),
    path("problems/<int:pk>/cooperating/", views.set_cooperating, name="problem_cooperating"),
    path(
        "problems/<int:pk>/parts/<int:part_id>/<slug:action>/",
        views.part_action,
        name="problem_part_action",
    ),
    path(
        "problems/<int:pk>/extensions/<int:extension_id>/decide/",
        views.decide_extension,
        name="problem_decide_extension",
    ),
]
