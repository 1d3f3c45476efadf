from django.urls import path

from taizhang.open311 import views

urlpatterns = [
    path("services.<str:fmt>", views.services, name="open311_services"),
    path("services/<str:code>.<str:fmt>", views.service_definition, name="open311_service"),
    path("requests.<str:fmt>", views.requests, name="open311_requests"),
    path("requests/<str:code>.<str:fmt>", views.request_detail, name="open311_request"),
    path("tokens/<str:code>.<str:fmt>", views.token, name="open311_token"),
]
