from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "taizhang.reports"
    label = "reports"

    def ready(self) -> None:
        from taizhang.core.runner import register_clock
        from taizhang.reports.daily import DailyQueue

        register_clock("daily-run", 300, DailyQueue())
