"""Answer templates (答复模板): filled in for each suggestion, and one template sent to many
suggestions at once from the queue, each through the same step as an answer by hand."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.core import receipts
from taizhang.intake import permissions
from taizhang.intake.models import AnswerTemplate, Suggestion
from taizhang.intake.placeholders import FOUND, check_placeholders
from taizhang.intake.services import answer_suggestion
from taizhang.ledger.errors import ConflictError

# One request answers at most this many (a page of the queue is 50).
MAX_AT_ONCE = 200


def templates_for(campaign: Campaign, area_id: int | None = None) -> QuerySet[AnswerTemplate]:
    """The campaign's templates for an area (and those for any area), the area's first."""
    found = AnswerTemplate.objects.filter(campaign=campaign)
    if area_id is not None:
        found = found.filter(Q(focus_area_id=area_id) | Q(focus_area__isnull=True))
    return found.select_related("focus_area").order_by(
        F("focus_area").asc(nulls_last=True), "title"
    )


def fill(template: AnswerTemplate, s: Suggestion) -> str:
    check_placeholders(template.text)
    values = {
        "回执码": receipts.display(s.receipt_code),
        "标题": s.title,
        "领域": s.focus_area.name if s.focus_area else "",
        "日期": timezone.localdate().strftime("%Y年%m月%d日"),
        "渠道": s.get_channel_display(),
    }
    return FOUND.sub(lambda m: values[m.group(1)], template.text)


@dataclass
class Answered:
    done: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def answer_with(
    campaign: Campaign, *, by: Any, template: AnswerTemplate, ids: Sequence[int]
) -> Answered:
    """The template, filled in for each picked suggestion, sent as its answer: each checked
    and saved as an answer by hand would be, in its own transaction; every one reported."""
    if template.campaign_id != campaign.pk:
        raise ValidationError(_("答复模板不属于本活动。"))
    if not ids:
        raise ValidationError(_("请先勾选要答复的意见建议。"))
    if len(ids) > MAX_AT_ONCE:
        raise ValidationError(
            _("一次最多答复 %(m)s 条,现选 %(n)s 条。") % {"m": MAX_AT_ONCE, "n": len(ids)}
        )
    result = Answered()
    picked = Suggestion.objects.filter(campaign=campaign, pk__in=list(ids)).select_related(
        "focus_area", "campaign__org"
    )
    for s in picked.order_by("submitted_at", "pk"):
        code = receipts.display(s.receipt_code)
        if template.focus_area_id and s.focus_area_id not in (None, template.focus_area_id):
            area = s.focus_area.name if s.focus_area else ""
            result.refused[code] = _("属于“%(a)s”,这个模板是另一领域的") % {"a": area}
            continue
        try:
            answer_suggestion(s, by=by, version=s.version, text=fill(template, s))
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            result.refused[code] = "".join(getattr(exc, "messages", [str(exc)]))
        else:
            result.done.append(code)
    return result


def save_template(
    campaign: Campaign, *, by: Any, title: str, text: str, focus_area: Any = None
) -> AnswerTemplate:
    """A new template of the office's, its placeholders checked."""
    if not permissions.can_triage(by, campaign):
        raise PermissionDenied(_("只有活动办公室可以管理答复模板。"))
    if focus_area is not None and focus_area.campaign_id != campaign.pk:
        raise ValidationError(_("聚焦领域不属于本活动。"))
    template = AnswerTemplate(campaign=campaign, focus_area=focus_area, title=title, text=text)
    template.full_clean()
    template.save()
    return template


def remove_template(campaign: Campaign, *, by: Any, template_id: int) -> None:
    if not permissions.can_triage(by, campaign):
        raise PermissionDenied(_("只有活动办公室可以管理答复模板。"))
    AnswerTemplate.objects.filter(campaign=campaign, pk=template_id).delete()
