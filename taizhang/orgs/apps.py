from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "taizhang.orgs"
    label = "orgs"

    def ready(self) -> None:
        from taizhang.audit.tracking import track
        from taizhang.orgs import auditing
        from taizhang.orgs.models import Org

        auditing.connect()
        track(Org, "单位", ["code", "name", "kind", "parent_id", "path"])
