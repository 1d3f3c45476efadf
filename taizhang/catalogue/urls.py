from django.urls import path

from taizhang.catalogue import views

urlpatterns = [
    path("c/<slug:slug>/catalogue/", views.catalogue_page, name="catalogue"),
    path("c/<slug:slug>/catalogue/add/", views.add_entry, name="catalogue_add"),
    path(
        "c/<slug:slug>/catalogue/<int:entry_id>/remove/",
        views.remove_entry,
        name="catalogue_remove",
    ),
    path("c/<slug:slug>/catalogue/export/", views.export_catalogue, name="catalogue_export"),
    path("c/<slug:slug>/catalogue/import/", views.import_catalogue, name="catalogue_import"),
]
