from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"

    def ready(self) -> None:
        from taizhang.core import lookups  # noqa: F401  (registers path__under)
