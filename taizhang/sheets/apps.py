from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "taizhang.sheets"
    label = "sheets"

    def ready(self) -> None:
        from taizhang.core.housekeeping import nightly
        from taizhang.core.runner import worker_starting
        from taizhang.sheets.jobs import recover_orphans, remove_leftovers

        worker_starting.connect(recover_orphans, dispatch_uid="sheets-orphans", weak=False)
        nightly.connect(remove_leftovers, dispatch_uid="sheets-leftovers", weak=False)
