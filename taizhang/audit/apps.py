from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "taizhang.audit"
    label = "audit"
    verbose_name = "安全审计"

    def ready(self) -> None:
        from taizhang.audit import receivers

        receivers.connect()
