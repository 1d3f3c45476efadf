from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "taizhang.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from taizhang.audit.tracking import track
        from taizhang.campaigns import second_factor
        from taizhang.campaigns.access import forget_campaigns
        from taizhang.campaigns.models import Campaign, FocusArea, Phase
        from taizhang.orgs.models import Org

        def owe_second_factor(request: object = None, user: object = None, **_kw: object) -> None:
            if request is not None and hasattr(request, "session"):
                second_factor.start(request.session, user)

        user_logged_in.connect(owe_second_factor, dispatch_uid="campaigns-second-factor",
                               weak=False)  # fmt: skip
        track(Campaign, "活动设置")
        track(FocusArea, "聚焦领域")
        track(Phase, "活动阶段")

        def forget(**kwargs: object) -> None:
            forget_campaigns()

        for sender in (Campaign, Org):
            post_save.connect(
                forget, sender=sender, dispatch_uid=f"campaigns-forget-{sender}", weak=False
            )
            post_delete.connect(
                forget, sender=sender, dispatch_uid=f"campaigns-forget-d-{sender}", weak=False
            )
