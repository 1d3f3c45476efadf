"""Who reads the audit log: the security auditor (安全审计员), a duty of its own — a group the
system administrator puts a person in, never implied by being an administrator or superuser
(等保 separates the administrator's, the security officer's and the auditor's duties)."""

from typing import Any

AUDITOR_GROUP = "安全审计员"


def is_auditor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.groups.filter(name=AUDITOR_GROUP).exists())
