"""Inspection teams (巡回指导组): members see exactly the subtrees of the orgs assigned to their
team, read-only, through inspector roles that this module keeps in step with the team."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.orgs.auditing import record_role
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Role, RoleAssignment
from taizhang.orgs.scoping import scope_of
from taizhang.orgs.signals import roles_changed
from taizhang.supervision.models import InspectionTeam


def _require_office(by: Any, campaign: Campaign) -> None:
    if not scope_of(by).reaches(campaign.org.path, (Role.OFFICE,)):
        raise PermissionDenied(_("只有活动办公室可以管理督导组。"))


@transaction.atomic
def save_team(
    campaign: Campaign,
    *,
    by: Any,
    name: str,
    usernames: Iterable[str],
    org_codes: Iterable[str],
    team: InspectionTeam | None = None,
) -> InspectionTeam:
    _require_office(by, campaign)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写督导组名称。"))
    names = [u.strip() for u in usernames if u.strip()]
    written = [c.strip() for c in org_codes if c.strip()]
    users = list(get_user_model().objects.filter(username__in=names))
    unknown_users = sorted(set(names) - {u.username for u in users})
    if unknown_users:
        raise ValidationError(_("找不到用户:%(u)s") % {"u": "、".join(unknown_users)})
    # Units by code, name, alias or short name, within the campaign's own tree.
    orgs, problems = [], []
    for unit in written:
        try:
            orgs.append(resolve_unit(unit, campaign.org))
        except ValidationError as exc:
            problems += exc.messages
    if problems:
        raise ValidationError(problems)
    same_name = InspectionTeam.objects.filter(campaign=campaign, name=name)
    if team is not None:
        same_name = same_name.exclude(pk=team.pk)
    if same_name.exists():
        raise ValidationError(_("已有名为“%(n)s”的督导组。") % {"n": name})
    if team is None:
        team = InspectionTeam.objects.create(campaign=campaign, name=name)
    else:
        team.name = name
        team.save(update_fields=["name"])
    team.members.set(users)
    team.orgs.set(orgs)
    sync_roles(team)
    return team


def sync_roles(team: InspectionTeam) -> None:
    """Exactly one inspector role per member and assigned org, marked as the team's."""
    via = f"team:{team.pk}"
    wanted = {(u, o) for u in team.members.values_list("pk", flat=True)
              for o in team.orgs.values_list("pk", flat=True)}  # fmt: skip
    held = set(RoleAssignment.objects.filter(via=via).values_list("user_id", "org_id"))
    for user_id, org_id in held - wanted:
        RoleAssignment.objects.filter(via=via, user_id=user_id, org_id=org_id).delete()
    made = RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user_id=u, org_id=o, role=Role.INSPECTOR, via=via)
            for u, o in sorted(wanted - held)
        ]
    )
    for assignment in RoleAssignment.objects.filter(pk__in=[a.pk for a in made]).select_related(
        "user", "org"
    ):
        record_role(assignment, granted=True)  # bulk_create sends no signal
    roles_changed.send(sender=RoleAssignment)


@transaction.atomic
def delete_team(team: InspectionTeam, *, by: Any) -> None:
    _require_office(by, team.campaign)
    RoleAssignment.objects.filter(via=f"team:{team.pk}").delete()
    team.delete()
