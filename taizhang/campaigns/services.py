import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.audit.tracking import record_setting
from taizhang.campaigns.models import Campaign, FocusArea, Phase
from taizhang.orgs.models import Org


@transaction.atomic
def create_campaign(
    *,
    slug: str,
    name: str,
    org: Org,
    starts_on: dt.date,
    ends_on: dt.date,
    focus_areas: Sequence[str],
    phases: Sequence[tuple[str, dt.date, dt.date]] = (),
    rules: dict[str, Any] | None = None,
    previous: Campaign | None = None,
) -> Campaign:
    if ends_on < starts_on:
        raise ValidationError(_("活动结束日期不能早于开始日期。"))
    if not focus_areas:
        raise ValidationError(_("请至少设置一个聚焦领域。"))
    if Campaign.objects.filter(slug=slug).exists():
        raise ValidationError(_("活动标识 %(s)s 已被使用。") % {"s": slug})
    campaign = Campaign.objects.create(
        slug=slug,
        name=name,
        org=org,
        starts_on=starts_on,
        ends_on=ends_on,
        rules=rules or {},
        previous=previous,
    )
    FocusArea.objects.bulk_create(
        FocusArea(campaign=campaign, name=area, order=i) for i, area in enumerate(focus_areas)
    )
    record_setting("聚焦领域", campaign.slug, None, list(focus_areas))  # bulk: no signals
    for kind, start, end in phases:
        if start < starts_on or end > ends_on or end < start:
            raise ValidationError(_("阶段日期应在活动期限之内。"))
        Phase.objects.create(campaign=campaign, kind=kind, starts_on=start, ends_on=end)
    return campaign
