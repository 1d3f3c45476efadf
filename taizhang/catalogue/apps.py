from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "taizhang.catalogue"
    label = "catalogue"
    verbose_name = "派单目录"

    def ready(self) -> None:
        from taizhang.audit.tracking import track
        from taizhang.catalogue.models import CatalogueEntry, CatalogueVersion

        track(CatalogueVersion, "派单目录")
        track(CatalogueEntry, "派单目录条目")
