from django.urls import path

from taizhang.todo import views

urlpatterns = [
    path("c/<slug:slug>/todo/", views.todo, name="todo"),
]
