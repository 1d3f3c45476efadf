from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "taizhang.orgs"
    label = "orgs"
