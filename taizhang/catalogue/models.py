from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger.models import Kind
from taizhang.orgs.models import Org


class CatalogueVersion(models.Model):
    """One version of a campaign's dispatch catalogue (派单目录). A change never edits a
    version: it makes the next one, so what routed a problem last month can still be read."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("版本"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("修改人"),
    )
    made_at = models.DateTimeField(_("修改时间"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("派单目录版本")
        verbose_name_plural = _("派单目录版本")
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="unique_catalogue_version")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} v{self.number}"


class CatalogueEntry(models.Model):
    """Which unit leads (and which co-operate on) what comes in of one kind: by focus area,
    sub-category and keywords; with the kind of handling and the time limit it gets."""

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="entries")
    order = models.PositiveIntegerField(_("序号"), default=1)
    # Empty: any area.
    focus_area = models.ForeignKey(
        FocusArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("聚焦领域"),
    )
    sub_category = models.CharField(_("子类"), max_length=60, blank=True)
    # Words separated by 、 , ; or spaces; any one of them in the text matches. Empty: the
    # entry matches on its area (and sub-category) alone.
    keywords = models.CharField(_("关键词"), max_length=500, blank=True)
    lead_org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("主办单位")
    )
    cooperating_orgs = models.ManyToManyField(
        Org, blank=True, related_name="+", verbose_name=_("协办单位")
    )
    kind = models.CharField(_("整改类型"), max_length=16, choices=Kind.choices, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限(工作日)"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单目录条目")
        verbose_name_plural = _("派单目录条目")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.sub_category or self.keywords[:20]} → {self.lead_org_id}"
