from django.urls import path

from taizhang.sheets import views

urlpatterns = [
    path("c/<slug:slug>/import/", views.import_page, name="ledger_import"),
    path("c/<slug:slug>/import/template.xlsx", views.template, name="ledger_import_template"),
    path("c/<slug:slug>/imports/<int:pk>/", views.import_job, name="import_job"),
    path("c/<slug:slug>/imports/<int:pk>/errors.xlsx", views.job_errors, name="import_job_errors"),
    path(
        "c/<slug:slug>/import/errors/<str:token>.xlsx",
        views.error_workbook,
        name="ledger_import_errors",
    ),
]
