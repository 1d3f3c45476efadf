from django.urls import path

from taizhang.todo import views

urlpatterns = [
    path("c/<slug:slug>/todo/", views.todo, name="todo"),
    path("c/<slug:slug>/bulk/", views.bulk_start, name="bulk_start"),
    path("bulk/<int:pk>/", views.bulk_detail, name="bulk_detail"),
]
