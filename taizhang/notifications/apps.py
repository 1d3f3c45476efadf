from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "taizhang.notifications"
    label = "notifications"

    def ready(self) -> None:
        from taizhang.core.housekeeping import nightly
        from taizhang.notifications.services import digest_at_night

        nightly.connect(digest_at_night, dispatch_uid="notifications-digest", weak=False)
