from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "taizhang.supervision"
    label = "supervision"

    def ready(self) -> None:
        from taizhang.orgs.signals import org_moved
        from taizhang.supervision.receivers import follow_moved_org

        org_moved.connect(follow_moved_org, dispatch_uid="supervision-org-moved", weak=False)
