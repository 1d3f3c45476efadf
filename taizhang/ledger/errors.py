from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class NotAllowed(PermissionDenied):
    """The user may not do this to this problem; the message says why."""


class TransitionError(ValidationError):
    """The problem is not in a state that allows this step; the message says why."""


class ConflictError(Exception):
    """Someone else changed the problem since the user loaded it."""

    def __init__(self, current_version: int | None = None) -> None:
        self.current_version = current_version
        super().__init__(_("该问题已被他人修改,您的操作未保存。请刷新页面查看最新内容后重试。"))
