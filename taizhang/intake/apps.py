from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "taizhang.intake"
    label = "intake"
