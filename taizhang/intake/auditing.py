"""Every unmasked view of a citizen's name or phone (IdentityView) is also a security audit
entry: the assessor sees them beside logins and exports, and they outlive the accounts."""

from typing import Any

from django.db.models.signals import post_save

from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.intake.models import IdentityView, Suggestion

PURPOSES = {"detail": "查看详情", "contact": "联系群众", "callback": "回访", "api": "接口读取",
            "lookup": "按电话查找", "request": "办理本人信息请求"}  # fmt: skip


def record_identity_views(suggestions: list[Suggestion], purpose: str) -> None:
    for s in suggestions:
        record(
            AuditKind.PERSONAL,
            f"查看群众姓名和电话({PURPOSES.get(purpose, purpose)}):意见建议 {s.receipt_code}",
            target=f"suggestion:{s.pk}",
            detail={"suggestion": s.pk, "purpose": purpose},
        )


def _viewed(sender: Any, instance: IdentityView, created: bool, raw: bool = False,
            **kw: Any) -> None:  # fmt: skip
    if created and not raw:
        record_identity_views([instance.suggestion], instance.purpose)


def connect() -> None:
    post_save.connect(_viewed, sender=IdentityView, dispatch_uid="intake-audit-identity")
