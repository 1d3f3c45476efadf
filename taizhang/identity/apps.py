from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "taizhang.identity"
    label = "identity"
    verbose_name = "统一身份认证"

    def ready(self) -> None:
        from django.core.checks import register

        from taizhang.audit.tracking import track
        from taizhang.core.housekeeping import nightly
        from taizhang.identity.checks import configuration
        from taizhang.identity.directory import sync_at_night
        from taizhang.identity.models import ExternalAccount, IdNumber

        register(configuration)
        track(ExternalAccount, "外部账号", ["user_id", "platform", "subject", "left_at"])
        track(IdNumber, "身份证号摘要", ["user_id", "digest"])

        nightly.connect(sync_at_night, dispatch_uid="identity-directory-sync", weak=False)
