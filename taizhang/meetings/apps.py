from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "taizhang.meetings"
    label = "meetings"

    def ready(self) -> None:
        from taizhang.meetings.receivers import follow_moved_org
        from taizhang.orgs.signals import org_moved

        org_moved.connect(follow_moved_org, dispatch_uid="meetings-org-moved", weak=False)
