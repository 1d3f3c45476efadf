from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "taizhang.meetings"
    label = "meetings"
