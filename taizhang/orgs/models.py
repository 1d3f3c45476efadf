from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县(市、区)")
    ZONE = "zone", _("开发区")
    DEPARTMENT = "department", _("部门")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")
    BRANCH = "branch", _("党支部")


class Org(models.Model):
    """A unit in the org tree; `path` lists the codes from the root, e.g. /141000/141002/."""

    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=120)
    kind = models.CharField(_("单位类型"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=400, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "name"])]

    def __str__(self) -> str:
        return self.name

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]


class Role(models.TextChoices):
    OFFICE = "office", _("活动办公室")
    ADMIN = "admin", _("单位管理员")
    HANDLER = "handler", _("经办人")
    LEADER = "leader", _("领导")
    INSPECTOR = "inspector", _("督导组成员")
    OPERATOR = "operator", _("坐席")


class RoleAssignment(models.Model):
    """A user holds a role at an org; what they see and do follows from these rows alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("用户"),
    )
    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("单位")
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    # "" for a role given directly; "team:<id>" for one held through an inspection team, kept
    # in step with the team by supervision.teams.
    via = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org", "role", "via"], name="unique_role_assignment_via"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.org} · {self.get_role_display()}"


class OrgAlias(models.Model):
    """Another name offices write a unit with (市发改委 for 临汾市发展和改革委员会): imports
    match it like the unit's own name. Kept by the office (admin, the units import)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("别名"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")

    def __str__(self) -> str:
        return f"{self.name} → {self.org_id}"
