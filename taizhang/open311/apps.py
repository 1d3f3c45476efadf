from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "taizhang.open311"
    label = "open311"
