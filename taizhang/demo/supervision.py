"""The demo's supervision: 15 inspection teams over the counties (as in the article), the day's
notices by rule with most of them answered, spot checks, and call-backs with ratings."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import CallBack, CallStatus
from taizhang.evaluation.services import refresh_queue
from taizhang.intake.models import Suggestion
from taizhang.ledger.models import Problem, Status
from taizhang.orgs.models import Org, OrgKind
from taizhang.reports.snapshots import take_snapshots
from taizhang.supervision import spotchecks, teams
from taizhang.supervision.models import CheckResult, Notice, NoticeStatus, SpotCheckItem
from taizhang.supervision.services import run_rules

TEAMS = 15
NUMERALS = "一二三四五六七八九十"


def team_name(i: int) -> str:
    n = i + 1
    word = NUMERALS[n - 1] if n <= 10 else "十" + NUMERALS[n - 11]
    return f"第{word}巡回指导组"


def build_supervision(campaign: Campaign, users: dict, rng: random.Random, today: dt.date) -> None:  # type: ignore[type-arg]
    office = users["office"]
    # Spot checks and call-backs draw from a stream of their own, however many notices the
    # day's rules raised before them.
    later = random.Random(rng.random())
    counties = list(Org.objects.filter(parent=campaign.org, kind=OrgKind.COUNTY).order_by("code"))
    User = get_user_model()
    password = users["inspector"].password  # the demo password's hash, computed once
    for i in range(TEAMS):
        members = [users["inspector"].username] if i == 0 else []
        if i:
            username = f"inspector{i + 1:02d}"
            User.objects.create(username=username, password=password,
                                first_name=f"{team_name(i)} 组员")  # fmt: skip
            members.append(username)
        assigned = [c.code for c in counties[i::TEAMS]] or [counties[i % len(counties)].code]
        teams.save_team(campaign, by=office, name=team_name(i), usernames=members,
                        org_codes=assigned)  # fmt: skip
    run_rules(campaign, today)
    # Most units answer in time, some late, a few not yet.
    open_notices = list(Notice.objects.filter(campaign=campaign).values_list("pk", "reply_due"))
    now = timezone.now()
    on_time, late = [], []
    for pk, _due in open_notices:
        roll = rng.random()
        if roll < 0.7:
            on_time.append(pk)
        elif roll < 0.8:
            late.append(pk)
    for ids, in_time in ((on_time, True), (late, False)):
        Notice.objects.filter(pk__in=ids).update(
            status=NoticeStatus.REPLIED,
            reply="已制定整改方案,明确责任人和完成时限,正在加紧推进。",
            replied_at=now,
            replied_on_time=in_time,
        )
    # One spot check per county: 2 % of its closed problems per focus area, 97 % pass.
    for county in counties:
        if not Problem.objects.filter(
            campaign=campaign, status=Status.CLOSED, org_path__startswith=county.path
        ).exists():
            continue
        check = spotchecks.draw(campaign, county, by=office, percent=2, seed=later.randrange(10**9))
        items = list(check.items.select_related("problem"))
        failing = [i for i in items if later.random() < 0.03]
        for item in failing:
            spotchecks.record(
                item, by=office, passed=False, reason="现场核查整改不到位,群众反映问题依旧"
            )
        SpotCheckItem.objects.filter(spot_check=check, result=CheckResult.PENDING).update(
            result=CheckResult.PASSED, checked_by=office, checked_at=now
        )
    # Call-backs: most reached and satisfied (the article's people grade the answer).
    refresh_queue(campaign)
    calls = list(
        CallBack.objects.filter(campaign=campaign, status=CallStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    done = [pk for pk in calls if later.random() < 0.75]
    for pk in done:
        rating = later.choices((5, 4, 3, 2, 1), weights=(60, 28, 8, 3, 1))[0]
        CallBack.objects.filter(pk=pk).update(
            status=CallStatus.DONE, attempts=1, reached=True, solved=rating >= 3,
            rating=rating, called_by=users["operator"], called_at=now,
        )  # fmt: skip
    CallBack.objects.filter(Q(pk__in=calls) & ~Q(pk__in=done)).update(attempts=1)
    # As record_call does: the verdict given on the phone is the suggestion's rating.
    for rating in (5, 4, 3, 2, 1):
        rated = CallBack.objects.filter(pk__in=done, rating=rating).values("suggestion_id")
        Suggestion.objects.filter(pk__in=rated, rating__isnull=True).update(
            rating=rating, rating_comment="电话回访", rated_at=now
        )
    take_snapshots(campaign, today)
