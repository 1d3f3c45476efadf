"""What the ledger does when the apps below it change: a unit moved, a calendar loaded."""

from typing import Any

from django.contrib.auth.models import User

from taizhang.campaigns.models import Campaign
from taizhang.ledger import tallies
from taizhang.ledger.models import Problem
from taizhang.ledger.services import recompute_provisional_deadlines
from taizhang.orgs.services import moved_path
from taizhang.search import services as search


def follow_moved_org(*, old_path: str, new_path: str, **_signal: Any) -> None:
    Problem.objects.filter(org_path__startswith=old_path).update(
        org_path=moved_path("org_path", old_path, new_path)
    )
    # The index finds a problem by the units above it, and those changed.
    moved = Problem.objects.filter(org_path__startswith=new_path)
    helped = Problem.cooperating_orgs.through.objects.filter(org__path__startswith=new_path)
    search.mark("problem", [*moved.values_list("pk", flat=True),
                            *helped.values_list("problem_id", flat=True)])  # fmt: skip
    for campaign in Campaign.objects.filter(problems__org_path__under=new_path).distinct():
        tallies.rebuild(campaign)


def recompute_after_schedule(*, by: User | None = None, **_signal: Any) -> None:
    recompute_provisional_deadlines(by)
