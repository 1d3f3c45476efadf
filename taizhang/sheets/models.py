from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportMapping(models.Model):
    """A header a user's files use, matched once to a field and reused for every later import."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, default="problems")
    header = models.CharField(_("表头"), max_length=100)
    field = models.CharField(_("对应字段"), max_length=30)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "header"], name="unique_import_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.field}"
