from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "taizhang.catalogue"
    label = "catalogue"
    verbose_name = "派单目录"
