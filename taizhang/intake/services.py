"""Every change to a suggestion: submit, triage (duplicate, invalid, answer, convert), rate."""

import datetime as dt
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.catalogue import services as catalogue
from taizhang.core import receipts, throttle
from taizhang.core.bulk import insert_with_child
from taizhang.core.validation import bounded_text
from taizhang.intake import permissions, privacy, searchable, updates
from taizhang.intake.models import (
    SATISFIED_RATINGS,
    Channel,
    Rating,
    Suggestion,
    SuggestionAction,
    SuggestionEvent,
    SuggestionPhoto,
    SuggestionStatus,
)
from taizhang.intake.signals import suggestion_received
from taizhang.ledger import services as ledger
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.evidence_files import Upload, check_and_store, discard
from taizhang.ledger.models import Kind, Problem, Source, Status
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org
from taizhang.search import services as search

MAX_TITLE, MAX_TEXT, MAX_PHOTOS, PHOTO_MB = 200, 4000, 3, 10
PHOTO_TYPES = ("jpg", "jpeg", "png", "gif")


def _log(s: Suggestion, by: Any, action: str, before: str = "", note: str = "") -> None:
    SuggestionEvent.objects.create(
        suggestion=s,
        at=timezone.now(),
        actor=by,
        action=action,
        from_status=before,
        to_status=s.status,
        note=note,
    )


def _check_rate_limit(campaign: Campaign, ip: str, phone_hash: str) -> None:
    """Counted before the submission is stored, in one statement per key, so parallel posts
    from one address cannot all pass a count that none of them has added to yet."""
    limit = int(campaign.rule("intake_limit_per_10min"))
    if ip and throttle.hit(f"submit-ip:{ip}", window=600) > limit:
        raise ValidationError(_("提交过于频繁,请十分钟后再试。"))
    if phone_hash and throttle.hit(f"submit-phone:{phone_hash}", window=600) > limit:
        raise ValidationError(_("这个电话号码提交过于频繁,请十分钟后再试。"))


def submit_suggestion(
    campaign: Campaign,
    *,
    channel: str,
    title: str,
    text: str,
    address: str = "",
    name: str = "",
    phone: str = "",
    confidential: bool = False,
    photos: Sequence[tuple[Upload, str]] = (),
    by: Any = None,
    ip: str = "",
    collected_on: dt.date | None = None,
    collected_at_place: str = "",
    focus_area: FocusArea | None = None,
    rate_limited: bool = True,
    votes: int = 0,
) -> Suggestion:
    """A citizen (by=None) or a member of staff records a suggestion; returns it with its code."""
    Channel(channel)
    if by is not None and not permissions.can_record(by, campaign):
        raise PermissionDenied(_("您无权为本活动录入意见建议。"))
    title = bounded_text(title, _("标题"), MAX_TITLE, required=True)
    text = bounded_text(text, _("内容"), MAX_TEXT, required=True)
    address = bounded_text(address, _("地点"), 200)
    name = bounded_text(name, _("姓名"), 60)
    phone = privacy.clean_phone(phone)
    if collected_on and (collected_on > timezone.localdate() or collected_on < campaign.starts_on):
        raise ValidationError(_("收集日期应在活动开始与今天之间。"))
    if focus_area is not None and focus_area.campaign_id != campaign.pk:
        raise ValidationError(_("聚焦领域“%(a)s”不属于本活动。") % {"a": focus_area.name})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
    hashed = privacy.phone_hash(phone)
    if by is None and rate_limited:
        _check_rate_limit(campaign, ip, hashed)
    for _upload, photo_name in photos:
        if not photo_name.lower().endswith(PHOTO_TYPES):
            raise ValidationError(
                _("“%(n)s”不是照片:只能上传 jpg、png 或 gif。") % {"n": photo_name}
            )
    stored = [check_and_store(upload, photo_name, PHOTO_MB) for upload, photo_name in photos]
    fields = {
        "campaign": campaign,
        "channel": channel,
        "title": title,
        "text": text,
        "address": address,
        "name": name,
        "phone": phone,
        "phone_hash": hashed,
        "confidential": confidential,
        "ip_hash": privacy.ip_hash(ip) if ip else "",
        "recorded_by": by,
        "submitted_at": timezone.now(),
        "collected_on": collected_on,
        "collected_at_place": collected_at_place.strip()[:200],
        "focus_area": focus_area,
        "votes": max(0, votes),
    }
    try:
        suggestion = _store(fields, stored, by)
    except Exception:
        for photo in stored:
            discard(photo.stored_name)
        raise
    suggestion_received.send(sender=Suggestion, suggestion=suggestion)
    return suggestion


def _store(fields: dict[str, Any], photos: list[Any], by: Any, attempts: int = 5) -> Suggestion:
    """One transaction; a receipt code that collides (one chance in 10¹³) redraws the whole."""
    for attempt in range(attempts):
        try:
            if connection.vendor == "postgresql" and not photos:
                # Inside a caller's transaction a savepoint keeps a collision from ending it.
                with transaction.atomic() if connection.in_atomic_block else nullcontext():
                    return _insert_in_one_statement(fields, by)
            with transaction.atomic():
                suggestion = Suggestion.objects.create(receipt_code=receipts.new_code(), **fields)
                for photo in photos:
                    SuggestionPhoto.objects.create(
                        suggestion=suggestion,
                        stored_name=photo.stored_name,
                        file_type=photo.file_type,
                        size=photo.size,
                    )
                _log(suggestion, by, SuggestionAction.SUBMIT)
                search.mark(searchable.KIND, [suggestion.pk])
                return suggestion
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _insert_in_one_statement(fields: dict[str, Any], by: Any) -> Suggestion:
    """The commonest submission (no photos) with its history row, in one round trip: what a
    hotline burst is made of (bench/intake.py)."""
    suggestion = Suggestion(receipt_code=receipts.new_code(), **fields)
    event = SuggestionEvent(
        at=timezone.now(),
        actor=by,
        action=SuggestionAction.SUBMIT,
        from_status="",
        to_status=suggestion.status,
        note="",
    )
    # The index's mark in the same statement: atomic without a transaction.
    insert_with_child(suggestion, event, link="suggestion", also=search.mark_row(searchable.KIND))
    search.after_commit()
    return suggestion


def _require_triage(by: Any, s: Suggestion, version: int) -> None:
    if not permissions.can_triage(by, s.campaign):
        raise PermissionDenied(_("只有活动办公室可以分办意见建议。"))
    if s.version != version:
        raise ConflictError(s.version)
    if s.status != SuggestionStatus.RECEIVED:
        raise ValidationError(
            _("这条意见建议已处理(%(s)s),不能再分办。") % {"s": s.get_status_display()}
        )


def _save(s: Suggestion, version: int, **fields: Any) -> None:
    updated = Suggestion.objects.filter(pk=s.pk, version=version).update(
        version=F("version") + 1, **fields
    )
    if not updated:
        raise ConflictError()
    for key, value in fields.items():
        setattr(s, key, value)
    s.version = version + 1


@transaction.atomic
def mark_duplicate(s: Suggestion, *, by: Any, version: int, of: Suggestion) -> Suggestion:
    _require_triage(by, s, version)
    if of.pk == s.pk or of.campaign_id != s.campaign_id:
        raise ValidationError(_("只能标记为本活动中另一条意见建议的重复。"))
    original = of.duplicate_of or of
    if original.pk == s.pk:
        raise ValidationError(_("这条意见建议本身就是它的原件,不能标记为重复。"))
    _save(s, version, status=SuggestionStatus.DUPLICATE, duplicate_of=original)
    # Its own duplicates follow it, so the original keeps every source and citizen.
    Suggestion.objects.filter(duplicate_of=s).update(duplicate_of=original)
    _log(s, by, SuggestionAction.DUPLICATE, SuggestionStatus.RECEIVED, original.receipt_code)
    return s


@transaction.atomic
def route_suggestion(
    s: Suggestion, *, by: Any, version: int, focus_area: FocusArea | None
) -> Suggestion:
    """Staff set (or correct) the focus area a suggestion belongs to."""
    _require_triage(by, s, version)
    if focus_area is not None and focus_area.campaign_id != s.campaign_id:
        raise ValidationError(_("聚焦领域“%(a)s”不属于本活动。") % {"a": focus_area.name})
    before = s.focus_area.name if s.focus_area else ""
    _save(s, version, focus_area=focus_area)
    after = focus_area.name if focus_area else ""
    _log(s, by, SuggestionAction.ROUTE, s.status, f"{before} → {after}")
    return s


@transaction.atomic
def mark_invalid(s: Suggestion, *, by: Any, version: int, reason: str) -> Suggestion:
    _require_triage(by, s, version)
    reason = bounded_text(reason, _("理由"), 2000, required=True)
    _save(s, version, status=SuggestionStatus.INVALID, answer=reason, answered_at=timezone.now())
    _log(s, by, SuggestionAction.INVALID, SuggestionStatus.RECEIVED, reason)
    return s


@transaction.atomic
def answer_suggestion(s: Suggestion, *, by: Any, version: int, text: str) -> Suggestion:
    """解释说明: answered directly, without a ledger problem."""
    _require_triage(by, s, version)
    text = bounded_text(text, _("答复"), MAX_TEXT, required=True)
    _save(s, version, status=SuggestionStatus.ANSWERED, answer=text, answered_at=timezone.now())
    _log(s, by, SuggestionAction.ANSWER, SuggestionStatus.RECEIVED, text)
    transaction.on_commit(lambda: updates.tell_citizen(s, updates.ANSWERED))
    return s


@transaction.atomic
def convert_to_problem(
    s: Suggestion,
    *,
    by: Any,
    version: int,
    org: Org,
    focus_area: FocusArea,
    kind: str,
    title: str = "",
    answer: str = "",
    cooperating: Sequence[Org] = (),
    deadline: dt.date | None = None,
) -> Problem:
    """转问题: a ledger problem for a unit (and the units co-operating on it), linked to the
    suggestion behind it."""
    _require_triage(by, s, version)
    problem = ledger.record_problem(
        campaign=s.campaign,
        by=by,
        title=title or s.title,
        # Every ledger reader sees the problem: numbers the citizen typed stay on the suggestion.
        description=privacy.mask_numbers_in_text(s.text),
        focus_area=focus_area,
        org=org,
        kind=kind,
        source=Source.SUGGESTION,
        cooperating_orgs=cooperating,
        deadline=deadline,
    )
    s.problems.add(problem)
    note = answer.strip() or _("已转交%(org)s办理。") % {"org": org.name}
    # The area it was converted under is its area from now on (and the area models' label).
    _save(
        s,
        version,
        status=SuggestionStatus.CONVERTED,
        answer=note,
        answered_at=timezone.now(),
        focus_area=focus_area,
    )
    _log(s, by, SuggestionAction.CONVERT, SuggestionStatus.RECEIVED, problem.number)
    transaction.on_commit(lambda: updates.tell_citizen(s, updates.CONVERTED))
    return problem


def distinct_citizens(s: Suggestion) -> int:
    """How many different people raised it: the original and its duplicates, by phone number;
    each submission without a number counts as one more person."""
    group = [s, *s.duplicates.all()]
    phones = {x.phone_hash for x in group if x.phone_hash}
    return len(phones) + sum(1 for x in group if not x.phone_hash)


TRIAGE_ACTIONS = ("duplicate", "invalid", "answer", "convert")


def triage(
    s: Suggestion,
    *,
    by: Any,
    version: int,
    action: str,
    text: str = "",
    duplicate_of: str = "",
    org_code: str = "",
    focus_area_id: int | None = None,
    kind: str = "",
    cooperating_codes: Sequence[str] | None = None,
) -> Problem | None:
    """One triage step named as the pages and the API post it (codes, not objects).
    `cooperating_codes`: None leaves the co-operating units to the catalogue."""
    if action == "duplicate":
        code = receipts.normalise(duplicate_of or "") or ""
        original = Suggestion.objects.filter(campaign=s.campaign, receipt_code=code).first()
        if original is None:
            raise ValidationError(_("找不到回执码为 %(c)s 的意见建议。") % {"c": duplicate_of})
        mark_duplicate(s, by=by, version=version, of=original)
    elif action == "invalid":
        mark_invalid(s, by=by, version=version, reason=text)
    elif action == "answer":
        answer_suggestion(s, by=by, version=version, text=text)
    elif action == "convert":
        area = s.campaign.focus_areas.filter(pk=focus_area_id or 0).first()
        if area is None:
            raise ValidationError(_("请选择聚焦领域。"))
        # The catalogue's entry for it fills what the office left empty (an API caller that
        # names no unit, a form sent as the page filled it).
        found = catalogue.route(s.campaign, area.pk, f"{s.title} {s.text}")
        if org_code:
            org = resolve_unit(org_code, s.campaign.org)
        elif found is not None:
            org = found.lead
        else:
            raise ValidationError(_("请填写责任单位(派单目录中没有匹配的条目)。"))
        # The entry counts when its lead unit is the one chosen.
        entry = found if found is not None and found.lead.pk == org.pk else None
        if cooperating_codes is None:
            helpers = entry.cooperating if entry else []
        else:
            helpers = [resolve_unit(c, s.campaign.org) for c in cooperating_codes if c.strip()]
        return convert_to_problem(
            s,
            by=by,
            version=version,
            org=org,
            focus_area=area,
            kind=kind or (entry.kind if entry else "") or Kind.DEADLINE,
            answer=text,
            cooperating=[o for o in helpers if o.pk != org.pk],
            deadline=entry.deadline(timezone.localdate()) if entry else None,
        )
    else:
        raise ValidationError(_("不支持的操作:%(a)s") % {"a": action})
    return None


def outcome_at(s: Suggestion) -> dt.datetime | None:
    """When the citizen's matter was settled: answered, or every linked problem closed."""
    if s.status == SuggestionStatus.ANSWERED:
        return s.answered_at
    if s.status == SuggestionStatus.CONVERTED:
        problems = list(s.problems.all())
        if problems and all(p.status == Status.CLOSED for p in problems):
            return max(p.closed_at for p in problems if p.closed_at)
    return None


def can_rate(s: Suggestion) -> bool:
    settled = outcome_at(s)
    return settled is not None and (s.rated_at is None or s.rated_at < settled)


@transaction.atomic
def rate_suggestion(s: Suggestion, *, rating: int, comment: str = "") -> Suggestion:
    """The citizen grades the outcome (人民阅卷); an unsatisfied grade reopens it by rule."""
    Rating(rating)
    if not can_rate(s):
        raise ValidationError(_("目前还不能评价:请在答复或办结后评价,且每次办结只能评价一次。"))
    comment = bounded_text(comment, _("评价意见"), 500)
    now = timezone.now()
    _save(s, s.version, rating=rating, rating_comment=comment, rated_at=now)
    _log(s, None, SuggestionAction.RATE, s.status, f"{Rating(rating).label} {comment}".strip())
    if rating not in SATISFIED_RATINGS and s.campaign.rule("unsatisfied_reopens"):
        reason = _("群众评价“%(r)s”:%(c)s") % {"r": Rating(rating).label, "c": comment or "—"}
        if s.status == SuggestionStatus.ANSWERED:
            before = s.status
            _save(s, s.version, status=SuggestionStatus.RECEIVED)
            _log(s, None, SuggestionAction.REOPEN, before, reason)
        for problem in s.problems.filter(status=Status.CLOSED):
            ledger.reopen_after_rating(problem, reason=reason)
    return s
