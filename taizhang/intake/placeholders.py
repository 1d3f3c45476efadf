"""The placeholders an answer template (答复模板) may hold, and the check that it holds no
other: a misspelt one would reach the citizen as written."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PLACEHOLDERS = ("回执码", "标题", "领域", "日期", "渠道")
FOUND = re.compile(r"\{([^{}]*)\}")


def check_placeholders(text: str) -> None:
    unknown = sorted({name for name in FOUND.findall(text or "") if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("答复模板中有不认识的占位符:%(u)s(可用:%(a)s)")
            % {
                "u": "、".join(f"{{{u}}}" for u in unknown),
                "a": "、".join(f"{{{p}}}" for p in PLACEHOLDERS),
            }
        )
    if not (text or "").strip():
        raise ValidationError(_("请填写答复内容。"))
