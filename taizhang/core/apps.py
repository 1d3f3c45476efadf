from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"

    def ready(self) -> None:
        from taizhang.core import lookups  # noqa: F401  (registers path__under)
        from taizhang.core.housekeeping import forget_old_counts, nightly

        nightly.connect(forget_old_counts, dispatch_uid="core-throttle", weak=False)
