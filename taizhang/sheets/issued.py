"""Exports carry who made them (导出人、单位、时间): every file written for a person names them
in its header or footer, so a workbook found on a shared drive says whose it was. A view hands
the person to `download(..., issued_to=user)`; the writers read the line from here."""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.orgs.models import Org
from taizhang.orgs.scoping import scope_of

_issued: contextvars.ContextVar[str] = contextvars.ContextVar("issued", default="")


def issuer_line(user: Any, *, printing: bool = False) -> str:
    """导出人:刘明(临汾市) 导出时间:2026-12-02 14:05 — the person, their units, the time
    (打印人 / 打印时间 on a printed page)."""
    ids = list(dict.fromkeys(g.org_id for g in scope_of(user).grants))
    names = dict(Org.objects.filter(pk__in=ids[:3]).values_list("pk", "name"))
    units = "、".join(names[i] for i in ids[:3] if i in names)
    who = user.first_name or user.get_username()
    line = (
        _("打印人:%(u)s%(o)s 打印时间:%(t)s") if printing else _("导出人:%(u)s%(o)s 导出时间:%(t)s")
    )
    return line % {
        "u": who,
        "o": f"({units})" if units else "",
        "t": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


@contextlib.contextmanager
def issuing(line: str) -> Iterator[None]:
    token = _issued.set(line)
    try:
        yield
    finally:
        _issued.reset(token)


def current() -> str:
    """The line of the file being written now ("" when no person asked for it)."""
    return _issued.get()
