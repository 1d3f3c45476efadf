"""A citizen asks what the campaign holds about them, or to erase it (个人信息查询、删除请求):
the office finds their suggestions by the number they give (through its keyed hash) or by
receipt code, hands them a copy or erases their name and number, and each request is kept
with who handled it and why. Erasing keeps the keyed hash (figures count distinct citizens by
it) and everything the citizen said, which is the campaign's record, not personal data."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.campaigns.models import Campaign
from taizhang.core import receipts
from taizhang.intake import privacy
from taizhang.intake.models import PersonalDataRequest, RequestKind, Suggestion
from taizhang.intake.permissions import can_triage


@dataclass(frozen=True)
class Citizen:
    """Who asks: the number they gave (normalised) and the receipt codes they hold."""

    phone: str
    codes: tuple[str, ...]

    @property
    def phone_hash(self) -> str:
        return privacy.phone_hash(self.phone)


def citizen(phone: str, codes: str) -> Citizen:
    """From what the office typed; a clear error if it names no one."""
    number = privacy.clean_phone(phone)
    found = []
    for typed in codes.replace(",", " ").replace(",", " ").split():
        code = receipts.normalise(typed)
        if code is None:
            raise ValidationError(_("回执码“%(c)s”不正确。") % {"c": typed})
        found.append(code)
    if not number and not found:
        raise ValidationError(_("请填写群众的电话号码或回执码。"))
    return Citizen(number, tuple(found))


def suggestions_of(campaign: Campaign, who: Citizen) -> QuerySet[Suggestion]:
    match = Q(pk__in=[])
    if who.phone:
        match |= Q(phone_hash=who.phone_hash)
    if who.codes:
        match |= Q(receipt_code__in=who.codes)
    return Suggestion.objects.filter(match, campaign=campaign).order_by("submitted_at", "pk")


def _require_office(user: object, campaign: Campaign) -> None:
    if not can_triage(user, campaign):
        raise PermissionDenied(_("群众个人信息的查询和删除请求由活动办公室办理。"))


@transaction.atomic
def handle(
    campaign: Campaign, *, by: Any, who: Citizen, kind: str, note: str
) -> PersonalDataRequest:
    """Record the request; for an erasure, erase the names and numbers it covers."""
    _require_office(by, campaign)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("请写明请求的内容和核实身份的方式。"))
    if kind not in RequestKind.values:
        raise ValidationError(_("请选择查询或删除。"))
    found = list(suggestions_of(campaign, who).select_for_update())
    if not found:
        raise ValidationError(_("没有找到这位群众的意见建议。"))
    codes = " ".join(s.receipt_code for s in found)
    request = PersonalDataRequest.objects.create(
        campaign=campaign, kind=kind, phone_hash=who.phone_hash if who.phone else "",
        receipt_codes=codes, count=len(found), note=note[:2000], handled_by=by,
        handled_at=timezone.now(),
    )  # fmt: skip
    if kind == RequestKind.ERASE:
        Suggestion.objects.filter(pk__in=[s.pk for s in found]).update(name="", phone="")
        summary = _("应群众请求删除 %(n)d 条意见建议中的姓名和电话") % {"n": len(found)}
    else:
        summary = _("应群众请求向其提供 %(n)d 条意见建议中的本人信息") % {"n": len(found)}
    record(AuditKind.PERSONAL, summary, target=f"request:{request.pk}",
           detail={"kind": kind, "receipt_codes": codes, "count": len(found)})  # fmt: skip
    return request
