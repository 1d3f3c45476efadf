from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "taizhang.intake"
    label = "intake"

    def ready(self) -> None:
        from taizhang.intake import auditing, searchable
        from taizhang.intake.updates import tell_citizens_closed
        from taizhang.ledger.signals import problem_closed
        from taizhang.search.registry import register

        def closed(*, problem: object, **_signal: object) -> None:
            tell_citizens_closed(problem)  # type: ignore[arg-type]

        register(searchable.SOURCE)
        problem_closed.connect(closed, dispatch_uid="intake-problem-closed", weak=False)
        auditing.connect()
