"""Projects keep a copy of their unit's path: it follows a moved unit."""

from typing import Any

from taizhang.orgs.services import moved_path
from taizhang.projects.models import Project


def follow_moved_org(*, old_path: str, new_path: str, **_signal: Any) -> None:
    Project.objects.filter(org_path__startswith=old_path).update(
        org_path=moved_path("org_path", old_path, new_path)
    )
