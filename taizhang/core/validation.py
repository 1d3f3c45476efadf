"""Checks every service applies to what people type: one rule, one message, everywhere."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def bounded_text(value: str, label: str, limit: int, *, required: bool = False) -> str:
    """The text trimmed, or a ValidationError naming the field: empty where it is required,
    longer than `limit`, or holding invisible control characters (pasted from elsewhere)."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_("请填写%(f)s。") % {"f": label})
    if len(text) > limit:
        raise ValidationError(
            _("%(f)s太长:最多 %(n)d 个字,现在 %(m)d 个。")
            % {"f": label, "n": limit, "m": len(text)}
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text):
        raise ValidationError(_("%(f)s含有不可见的控制字符,请删除后再提交。") % {"f": label})
    return text
