from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "taizhang.projects"
    label = "projects"

    def ready(self) -> None:
        from taizhang.orgs.signals import org_moved
        from taizhang.projects.receivers import follow_moved_org

        org_moved.connect(follow_moved_org, dispatch_uid="projects-org-moved", weak=False)
