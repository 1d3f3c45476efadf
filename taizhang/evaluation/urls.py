from django.urls import path

from taizhang.evaluation import views

urlpatterns = [
    path("c/<slug:slug>/callbacks/", views.callback_queue, name="callback_queue"),
    path("callbacks/<int:pk>/", views.callback_detail, name="callback_detail"),
]
