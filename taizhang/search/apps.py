from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "taizhang.search"
    label = "search"
