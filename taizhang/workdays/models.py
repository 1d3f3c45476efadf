from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleYear(models.Model):
    """A year whose official holiday schedule the office has loaded (overrides the package)."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排年份")
        verbose_name_plural = _("节假日安排年份")

    def __str__(self) -> str:
        return str(self.year)


class OfficialDay(models.Model):
    """A day that differs from the weekend rule: a weekday holiday or a make-up working day."""

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
