"""Demo suggestions: 53 000 at scale 1 (the article's "valuable" ones) from every channel."""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.core.bulk import insert_rows
from taizhang.core.crypto import encrypt
from taizhang.core.receipts import new_code
from taizhang.demo import names
from taizhang.intake.models import Channel, Suggestion, SuggestionAction, SuggestionEvent
from taizhang.intake.models import SuggestionStatus as S
from taizhang.intake.privacy import phone_hash
from taizhang.intake.searchable import KIND as SUGGESTION_KIND
from taizhang.ledger.models import Problem, Source
from taizhang.search import services as search

SUGGESTIONS_AT_SCALE_1 = 53_000
CHANNEL_SHARES = {
    Channel.WEB: 0.3,
    Channel.HOTLINE: 0.25,
    Channel.FORM: 0.2,
    Channel.BOX: 0.1,
    Channel.SYMPOSIUM: 0.1,
    Channel.LETTER: 0.04,
    Channel.ESSAY: 0.01,
}
STATUS_SHARES = {
    S.CONVERTED: 0.6,
    S.ANSWERED: 0.2,
    S.DUPLICATE: 0.1,
    S.INVALID: 0.05,
    S.RECEIVED: 0.05,
}
COLUMNS = (
    "campaign_id",
    "receipt_code",
    "channel",
    "title",
    "text",
    "address",
    "name",
    "phone",
    "phone_hash",
    "confidential",
    "ip_hash",
    "submitted_at",
    "status",
    "answer",
    "answered_at",
    "rating",
    "rating_comment",
    "rated_at",
    "version",
    "collected_at_place",
    "focus_area_id",
    "votes",
)


def build_suggestions(campaign: Campaign, scale: float, rng: random.Random, today: dt.date) -> int:
    total = max(30, round(SUGGESTIONS_AT_SCALE_1 * scale))
    areas = list(campaign.focus_areas.all())
    tz = timezone.get_current_timezone()
    channels = rng.choices(list(CHANNEL_SHARES), weights=list(CHANNEL_SHARES.values()), k=total)
    statuses = rng.choices(list(STATUS_SHARES), weights=list(STATUS_SHARES.values()), k=total)
    span = max(1, (today - campaign.starts_on).days - 1)
    rows: list[tuple[Any, ...]] = []
    for i in range(total):
        area = rng.choice(areas)
        subjects, issues, _measures = names.TEMPLATES[area.name]
        title = f"{rng.choice(subjects)}{rng.choice(issues)}"
        submitted = dt.datetime.combine(
            campaign.starts_on + dt.timedelta(days=rng.randrange(span)),
            dt.time(rng.randrange(8, 20), rng.randrange(60)),
            tzinfo=tz,
        )
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if rng.random() < 0.6 else ""
        status = statuses[i]
        # Most are handled the day they arrive or the next (the hotline's 响应率), some later.
        answered = (
            submitted + dt.timedelta(days=rng.randint(1, 10) // 4) if status != S.RECEIVED else None
        )
        answer = {
            S.ANSWERED: "经核实,相关情况已向您作出说明,感谢您的关注。",
            S.INVALID: "所反映事项不属于本次活动受理范围,已告知相关渠道。",
            S.DUPLICATE: "与其他群众反映的问题相同,已合并办理。",
            S.CONVERTED: "已转交责任单位整改。",
        }.get(status, "")
        rating = (
            rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 6, 2))[0]
            if status == S.ANSWERED and rng.random() < 0.6
            else None
        )
        rows.append(
            (
                campaign.pk,
                new_code(),
                channels[i],
                title,
                f"群众反映:{title},希望尽快解决。",
                "",
                # Stored as the field stores them (a bulk insert passes no field).
                encrypt(rng.choice(names.SURNAMES) + "先生" if phone else ""),
                encrypt(phone),
                phone_hash(phone),
                rng.random() < 0.05,
                "",
                submitted,
                status,
                answer,
                answered,
                rating,
                "",
                answered + dt.timedelta(days=3) if rating and answered else None,
                1,
                "" if channels[i] in (Channel.WEB, Channel.HOTLINE) else "市民服务中心",
                area.pk,
                # Only the web board has votes (附议); a few posts draw many.
                int(rng.paretovariate(1.5)) - 1 if channels[i] == Channel.WEB else 0,
            )
        )
    insert_rows(Suggestion, COLUMNS, rows)
    _link_and_log(campaign)
    return total


def _link_and_log(campaign: Campaign) -> None:
    suggestions = list(
        Suggestion.objects.filter(campaign=campaign).values_list("pk", "status", "submitted_at")
    )
    problems = list(
        Problem.objects.filter(campaign=campaign, source=Source.SUGGESTION).values_list(
            "pk", flat=True
        )
    )
    converted = [pk for pk, status, _at in suggestions if status == S.CONVERTED]
    links = [(s, problems[i % len(problems)]) for i, s in enumerate(converted)] if problems else []
    insert_rows(Suggestion.problems.through, ("suggestion_id", "problem_id"), links)
    search.mark(SUGGESTION_KIND, [pk for pk, _status, _at in suggestions])
    events = [
        (pk, at, None, SuggestionAction.SUBMIT, "", S.RECEIVED, "")
        for pk, _status, at in suggestions
    ]
    insert_rows(
        SuggestionEvent,
        ("suggestion_id", "at", "actor_id", "action", "from_status", "to_status", "note"),
        events,
    )
