from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from taizhang.core import lookups  # noqa: F401  (registers path__under)
        from taizhang.core.housekeeping import forget_old_counts, nightly, refresh_statistics

        nightly.connect(forget_old_counts, dispatch_uid="core-throttle", weak=False)
        nightly.connect(refresh_statistics, dispatch_uid="core-statistics", weak=False)
        post_migrate.connect(refresh_statistics, sender=self, dispatch_uid="core-statistics")
