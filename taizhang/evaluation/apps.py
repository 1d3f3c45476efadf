from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "taizhang.evaluation"
    label = "evaluation"
