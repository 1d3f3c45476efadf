from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "taizhang.workdays"
    label = "workdays"
