from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "taizhang.ledger"
    label = "ledger"

    def ready(self) -> None:
        from taizhang.ledger import receivers, searchable
        from taizhang.orgs.signals import org_moved
        from taizhang.search.registry import register
        from taizhang.workdays.services import schedule_loaded

        register(searchable.SOURCE)
        org_moved.connect(receivers.follow_moved_org, dispatch_uid="ledger-org-moved", weak=False)
        schedule_loaded.connect(
            receivers.recompute_after_schedule, dispatch_uid="ledger-schedule", weak=False
        )
