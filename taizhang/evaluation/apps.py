from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "taizhang.evaluation"
    label = "evaluation"

    def ready(self) -> None:
        from taizhang.core.housekeeping import nightly
        from taizhang.evaluation.retention import erase_expired

        nightly.connect(erase_expired, dispatch_uid="evaluation-retention", weak=False)
