from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "taizhang.workdays"
    label = "workdays"

    def ready(self) -> None:
        from taizhang.audit.tracking import track
        from taizhang.workdays.models import OfficialDay

        track(OfficialDay, "节假日安排")  # an edit in the admin; a year loaded records itself
