"""Finding entries in the audit log: by kind, person, words and dates."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.models import AuditEntry, AuditKind


@dataclass(frozen=True)
class AuditQuery:
    kind: str = ""
    who: str = ""
    words: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def parse(params: Any) -> AuditQuery:
    kind = params.get("kind", "")
    if kind and kind not in AuditKind.values:
        raise ValidationError(_("没有这种审计类别:%(k)s") % {"k": kind})
    return AuditQuery(
        kind=kind,
        who=params.get("who", "").strip()[:150],
        words=params.get("q", "").strip()[:100],
        since=_date(params.get("since"), _("起始日期")),
        until=_date(params.get("until"), _("截止日期")),
    )


def _date(value: str | None, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("%(l)s应写成 YYYY-MM-DD:%(v)s") % {"l": label, "v": value[:20]}
        ) from None


def entries(query: AuditQuery) -> QuerySet[AuditEntry]:
    found = AuditEntry.objects.all()
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.who:
        found = found.filter(Q(actor=query.who) | Q(target=query.who))
    if query.words:
        found = found.filter(Q(summary__icontains=query.words) | Q(target__icontains=query.words))
    tz = timezone.get_current_timezone()
    if query.since:
        found = found.filter(at__gte=dt.datetime.combine(query.since, dt.time(), tzinfo=tz))
    if query.until:
        end = dt.datetime.combine(query.until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        found = found.filter(at__lt=end)
    return found.order_by("-at", "-pk")
