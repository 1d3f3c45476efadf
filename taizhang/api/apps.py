from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "taizhang.api"
    label = "api"
