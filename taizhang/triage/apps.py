from typing import Any

from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "taizhang.triage"
    label = "triage"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from taizhang.campaigns.models import FocusArea
        from taizhang.triage.models import TriageModel
        from taizhang.triage.services import forget_cached

        def forget(sender: object, instance: FocusArea | TriageModel, **kwargs: object) -> None:
            forget_cached(instance.campaign)

        post_save.connect(forget, sender=FocusArea, dispatch_uid="triage-forget-area", weak=False)
        post_save.connect(
            forget, sender=TriageModel, dispatch_uid="triage-forget-model", weak=False
        )
        from taizhang.core.runner import register_clock, worker_starting
        from taizhang.intake.signals import suggestion_received
        from taizhang.triage.jobs import recover_orphans
        from taizhang.triage.services import index_arrivals, on_new_suggestion

        worker_starting.connect(recover_orphans, dispatch_uid="triage-orphans", weak=False)
        register_clock("triage-arrivals", 2, index_arrivals)

        def received(*, suggestion: Any, **_signal: Any) -> None:
            on_new_suggestion(suggestion)

        suggestion_received.connect(received, dispatch_uid="triage-on-arrival", weak=False)
