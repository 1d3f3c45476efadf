from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "taizhang.sheets"
    label = "sheets"
