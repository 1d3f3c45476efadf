from django.urls import path

from taizhang.search import views

urlpatterns = [
    path("c/<slug:slug>/search/", views.results, name="search"),
]
