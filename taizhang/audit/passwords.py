"""The password policy beyond Django's own validators (口令复杂度, 定期更换): three of four kinds
of character, none of the user's last five passwords, a maximum age, and a change forced at the
next login when someone else set the password (an administrator, a people import)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.context import current_actor
from taizhang.audit.models import PasswordRecord

KINDS_REQUIRED = 3
HISTORY = 5


def _kinds(password: str) -> int:
    return sum(
        (
            any(c.islower() and c.isascii() for c in password),
            any(c.isupper() and c.isascii() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() or not c.isascii() for c in password),
        )
    )


MIN_LENGTH = 8


class LengthValidator:
    """At least eight characters (Django's own says so in English only, here)."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < MIN_LENGTH:
            raise ValidationError(
                _("密码太短:至少 %(n)d 个字符。") % {"n": MIN_LENGTH}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("密码至少 %(n)d 个字符。") % {"n": MIN_LENGTH}


class CharacterKindsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if _kinds(password) < KINDS_REQUIRED:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三种。"), code="password_kinds"
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三种。")


class HistoryValidator:
    """Not one of the user's last five; and each new password is recorded (password_changed)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        recent = PasswordRecord.objects.filter(user_id=user.pk).order_by("-set_at", "-pk")
        if any(check_password(password, r.password) for r in recent[:HISTORY]):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": HISTORY}, code="password_reused"
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        by = current_actor()
        PasswordRecord.objects.create(
            user_id=user.pk,
            password=user.password,
            set_at=timezone.now(),
            # Set by another person (an administrator, an office's import): changed at first login.
            must_change=by.id is not None and by.id != user.pk,
        )

    def get_help_text(self) -> str:
        return _("不能使用最近 %(n)d 次用过的密码。") % {"n": HISTORY}


def must_change(user: Any) -> str:
    """Why the user must change their password before going on ("" if they need not)."""
    last = (
        PasswordRecord.objects.filter(user_id=user.pk).order_by("-set_at", "-pk")
        .values_list("set_at", "must_change").first()
    )  # fmt: skip
    if last is None or not user.has_usable_password():
        return ""
    set_at, forced = last
    if forced:
        return _("您的密码是管理员设置的初始密码,请先改为您自己的密码。")
    days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0))
    if days and timezone.now() - set_at > dt.timedelta(days=days):
        return _("您的密码已使用超过 %(d)d 天,请更换。") % {"d": days}
    return ""
