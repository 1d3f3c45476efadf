"""The dispatch catalogue (派单目录): kept by the campaign office as versions of a table, and
read to route what comes in (a suggestion converted, a row imported) to its lead unit, its
co-operating units, a kind of handling and a time limit."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.tracking import quiet, record_setting
from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.catalogue.models import CatalogueEntry, CatalogueVersion
from taizhang.ledger.models import Kind
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import scope_of
from taizhang.workdays.calendar import add_workdays

KEYWORD_SEPARATORS = re.compile(r"[、,，;；\s]+")
MAX_TIME_LIMIT_DAYS = 1000


def keyword_list(written: str) -> list[str]:
    return [w for w in KEYWORD_SEPARATORS.split(written or "") if w]


@dataclass
class EntryData:
    """One row of the catalogue as it is written (the pages, the workbook)."""

    lead_org: Org
    focus_area: FocusArea | None = None
    sub_category: str = ""
    keywords: str = ""
    cooperating: list[Org] = field(default_factory=list)
    kind: str = ""
    time_limit_days: int | None = None


@dataclass(frozen=True)
class Route:
    """What the catalogue says for one text: the entry and why it matched."""

    entry: CatalogueEntry
    lead: Org
    cooperating: list[Org]
    kind: str
    time_limit_days: int | None
    matched: list[str]

    def deadline(self, start: dt.date) -> dt.date | None:
        if self.time_limit_days is None:
            return None
        return add_workdays(start, self.time_limit_days).date


def can_edit(user: object, campaign: Campaign) -> bool:
    return scope_of(user).reaches(campaign.org.path, (Role.OFFICE,))


def can_read(user: object, campaign: Campaign) -> bool:
    """The office, and the admins who dispatch onward, read it."""
    return scope_of(user).has_role(Role.OFFICE, Role.ADMIN)


def current_version(campaign: Campaign) -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(campaign=campaign).order_by("-number").first()


def entries_of(version: CatalogueVersion | None) -> list[CatalogueEntry]:
    if version is None:
        return []
    return list(
        version.entries.select_related("focus_area", "lead_org")
        .prefetch_related("cooperating_orgs")
        .order_by("order", "pk")
    )


def as_data(entry: CatalogueEntry) -> EntryData:
    return EntryData(
        lead_org=entry.lead_org,
        focus_area=entry.focus_area,
        sub_category=entry.sub_category,
        keywords=entry.keywords,
        cooperating=list(entry.cooperating_orgs.all()),
        kind=entry.kind,
        time_limit_days=entry.time_limit_days,
    )


def _problems(campaign: Campaign, entries: Sequence[EntryData]) -> list[str]:
    found = []
    for n, e in enumerate(entries, start=1):
        where = _("第 %(n)s 条") % {"n": n}
        if not e.lead_org.path.startswith(campaign.org.path):
            found.append(
                _("%(w)s:主办单位“%(o)s”不在本活动范围内") % {"w": where, "o": e.lead_org.name}
            )
        if e.focus_area is not None and e.focus_area.campaign_id != campaign.pk:
            found.append(_("%(w)s:聚焦领域不属于本活动") % {"w": where})
        if e.kind and e.kind not in Kind.values:
            found.append(_("%(w)s:整改类型“%(k)s”无效") % {"w": where, "k": e.kind})
        if e.time_limit_days is not None and not 1 <= e.time_limit_days <= MAX_TIME_LIMIT_DAYS:
            found.append(
                _("%(w)s:办理时限应为 1 到 %(m)s 个工作日") % {"w": where, "m": MAX_TIME_LIMIT_DAYS}
            )
        if any(o.pk == e.lead_org.pk for o in e.cooperating):
            found.append(_("%(w)s:主办单位不能同时是协办单位") % {"w": where})
        if not (e.focus_area or e.sub_category or e.keywords.strip()):
            found.append(_("%(w)s:请至少填写聚焦领域、子类或关键词之一") % {"w": where})
    return found


@transaction.atomic
def publish(
    campaign: Campaign, *, by: Any, entries: Sequence[EntryData], note: str = ""
) -> CatalogueVersion:
    """The next version of the catalogue, holding exactly `entries` (in their order). Checked
    whole first: a table with a bad row changes nothing."""
    if not can_edit(by, campaign):
        raise PermissionDenied(_("只有活动办公室可以修改派单目录。"))
    problems = _problems(campaign, entries)
    if problems:
        raise ValidationError(problems)
    # Locks the campaign's versions, so two offices saving at once make two numbers.
    last = (
        CatalogueVersion.objects.select_for_update()
        .filter(campaign=campaign)
        .aggregate(n=Max("number"))["n"]
    )
    with quiet():  # one audit entry for the version, with the table before and after
        version = _write_version(campaign, by, entries, (last or 0) + 1, note)
    before = CatalogueVersion.objects.filter(campaign=campaign, number=last).first()
    record_setting("派单目录", f"{campaign.slug} v{version.number}",
                   _audited(before) if before else None, _audited(version))  # fmt: skip
    return version


def _audited(version: CatalogueVersion) -> list[list[Any]]:
    """The table as the audit log keeps it: one list per entry, in order."""
    entries = (
        version.entries.select_related("focus_area", "lead_org")
        .prefetch_related("cooperating_orgs")
        .order_by("order")
    )
    return [
        [e.focus_area.name if e.focus_area else "", e.sub_category, e.keywords, e.lead_org.code,
         e.kind, e.time_limit_days, sorted(o.code for o in e.cooperating_orgs.all())]
        for e in entries
    ]  # fmt: skip


def _write_version(
    campaign: Campaign, by: Any, entries: Sequence[EntryData], number: int, note: str
) -> CatalogueVersion:
    version = CatalogueVersion.objects.create(
        campaign=campaign,
        number=number,
        made_by=by,
        made_at=timezone.now(),
        note=note.strip()[:200],
    )
    for order, e in enumerate(entries, start=1):
        entry = CatalogueEntry.objects.create(
            version=version,
            order=order,
            focus_area=e.focus_area,
            sub_category=e.sub_category.strip()[:60],
            keywords="、".join(keyword_list(e.keywords))[:500],
            lead_org=e.lead_org,
            kind=e.kind,
            time_limit_days=e.time_limit_days,
        )
        if e.cooperating:
            entry.cooperating_orgs.set(e.cooperating)
    return version


def add_entry(campaign: Campaign, *, by: Any, entry: EntryData) -> CatalogueVersion:
    current = [as_data(e) for e in entries_of(current_version(campaign))]
    return publish(campaign, by=by, entries=[*current, entry], note=_("新增一条"))


def remove_entry(campaign: Campaign, *, by: Any, entry_id: int) -> CatalogueVersion:
    entries = entries_of(current_version(campaign))
    if not any(e.pk == entry_id for e in entries):
        raise ValidationError(_("当前版本的派单目录中没有这一条。"))
    kept = [as_data(e) for e in entries if e.pk != entry_id]
    return publish(campaign, by=by, entries=kept, note=_("删除一条"))


class Router:
    """The current catalogue of a campaign, read once, routing any number of texts."""

    def __init__(self, campaign: Campaign) -> None:
        self.entries = [
            (e, keyword_list(e.keywords)) for e in entries_of(current_version(campaign))
        ]

    def __bool__(self) -> bool:
        return bool(self.entries)

    def route(self, area_id: int | None, text: str, sub_category: str = "") -> Route | None:
        """The entry for this text: of its area (or of any area), whose sub-category is the one
        given or is written in the text, and whose keywords the text holds; the one with the
        most keywords found wins, then the more specific, then the first in the table."""
        best: tuple[tuple[int, int, int], CatalogueEntry, list[str]] | None = None
        for entry, words in self.entries:
            if entry.focus_area_id is not None and entry.focus_area_id != area_id:
                continue
            if entry.sub_category and not (
                entry.sub_category == sub_category or entry.sub_category in text
            ):
                continue
            hits = [w for w in words if w in text]
            if words and not hits:
                continue
            specific = (entry.focus_area_id is not None) + bool(entry.sub_category)
            score = (len(hits), specific, -entry.order)
            if best is None or score > best[0]:
                best = (score, entry, hits)
        if best is None:
            return None
        _score, entry, hits = best
        return Route(
            entry=entry,
            lead=entry.lead_org,
            cooperating=list(entry.cooperating_orgs.all()),
            kind=entry.kind,
            time_limit_days=entry.time_limit_days,
            matched=hits,
        )


def route(
    campaign: Campaign, area_id: int | None, text: str, sub_category: str = ""
) -> Route | None:
    return Router(campaign).route(area_id, text, sub_category)
