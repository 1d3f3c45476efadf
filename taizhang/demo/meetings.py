"""The demo's study: the article's 1.11万 branches hold 6万 meetings with their 24.9万 members
(at scale 1), and the city's central group its 15 study sessions."""

import datetime as dt
import random

from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.core.bulk import insert_rows, next_id, reset_sequences
from taizhang.demo import names
from taizhang.meetings.models import Attendance, Meeting, Member, Presence
from taizhang.meetings.services import kinds_of, rebuild_member_tallies, rebuild_tallies
from taizhang.orgs.models import Org, OrgKind

MEMBERS_PER_BRANCH = 22  # 24.9万 members / 1.11万 branches
MEETINGS_PER_BRANCH = 5.5  # 6万 meetings / 1.11万 branches
CENTRAL_GROUP = 20
TOPICS = {
    "party_meeting": [
        "支部党员大会:讨论整改措施",
        "支委会:研究查摆问题清单",
        "党课:解放思想谈体会",
    ],
    "theme_day": ["主题党日:重温入党誓词", "主题党日:走访困难群众", "主题党日:志愿服务进社区"],
    "study": ["学习会:解放思想大讨论专题学习", "学习会:对标先进地区找差距"],
    "report": ["报告会:先进典型事迹报告"],
    "discussion": ["讨论会:争先进位怎么干", "讨论会:我为转型发展献一策"],
    "symposium": ["座谈会:听取群众意见建议"],
}
MEETING_COLUMNS = (
    "id", "campaign_id", "org_id", "org_path", "kind_id", "held_on", "starts_at", "ends_at",
    "place", "topic", "host", "minutes", "status", "void_reason", "voided_by_id", "voided_at",
    "recorded_by_id", "recorded_at",
)  # fmt: skip
SLOTS = [(dt.time(9), dt.time(11)), (dt.time(14, 30), dt.time(16, 30)), (dt.time(19), dt.time(20))]


def build_meetings(campaign: Campaign, rng: random.Random, today: dt.date, by_id: int) -> int:
    kinds = kinds_of(campaign)
    weights = [4, 4, 2, 0.5, 1.5, 0.5][: len(kinds)]
    branches = list(
        Org.objects.filter(path__startswith=campaign.org.path, kind=OrgKind.BRANCH)
        .order_by("pk")
        .values_list("pk", "path")
    )
    last_day = min(today - dt.timedelta(days=1), campaign.ends_on)
    span = max(1, (last_day - campaign.starts_on).days)
    member_rows, meeting_rows, attendance_rows = [], [], []
    member_id, meeting_id, attendance_id = next_id(Member), next_id(Meeting), next_id(Attendance)
    now = timezone.now()
    groups = [(b, p, MEMBERS_PER_BRANCH, MEETINGS_PER_BRANCH) for b, p in branches]
    groups.append((campaign.org_id, campaign.org.path, CENTRAL_GROUP, 0))  # the central group
    for org_id, path, size, rate in groups:
        ids: list[int] = []
        for _ in range(max(3, round(rng.gauss(size, size / 4)))):
            role = "书记" if not ids else ("委员" if len(ids) < 3 else "党员")
            joined = campaign.starts_on - dt.timedelta(days=rng.randrange(200, 12000))
            member_rows.append(
                (
                    member_id,
                    org_id,
                    path,
                    rng.choice(names.SURNAMES)
                    + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英"),
                    role,
                    joined,
                    None,
                    "",
                )
            )
            ids.append(member_id)
            member_id += 1
        count = 15 if org_id == campaign.org_id else max(0, round(rng.gauss(rate, 1.5)))
        days = sorted(rng.sample(range(span), min(count, span)))
        for day in days:
            kind = kinds[2] if org_id == campaign.org_id else rng.choices(kinds, weights)[0]
            start, end = rng.choice(SLOTS)
            topic = rng.choice(TOPICS.get(kind.code, ["学习会"]))
            if org_id == campaign.org_id:
                topic = "市委理论学习中心组专题学习"
            held_on = campaign.starts_on + dt.timedelta(days=day)
            meeting_rows.append(
                (meeting_id, campaign.pk, org_id, path, kind.pk, held_on, start.isoformat(),
                 end.isoformat(), "党员活动室", topic, "", "", "held", "", None, None, by_id, now)
            )  # fmt: skip
            for m in ids:
                roll = rng.random()
                presence = (
                    Presence.PRESENT
                    if roll < 0.9
                    else Presence.EXCUSED
                    if roll < 0.97
                    else Presence.ABSENT
                )
                attendance_rows.append((attendance_id, meeting_id, m, "", presence))
                attendance_id += 1
            meeting_id += 1
    insert_rows(
        Member,
        ("id", "org_id", "org_path", "name", "role", "joined_on", "left_on", "external_id"),
        member_rows,
    )
    insert_rows(Meeting, MEETING_COLUMNS, meeting_rows)
    for first in range(0, len(attendance_rows), 200_000):
        insert_rows(
            Attendance,
            ("id", "meeting_id", "member_id", "guest_name", "presence"),
            attendance_rows[first : first + 200_000],
        )
    reset_sequences(Member, Meeting, Attendance)
    rebuild_tallies(campaign)
    rebuild_member_tallies()
    return len(meeting_rows)
