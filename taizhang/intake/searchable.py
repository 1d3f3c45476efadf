"""Suggestions in the full-text index: found by their receipt code, title and text (never by
the citizen's name or number), by those who work the suggestions."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from taizhang.campaigns.models import Campaign
from taizhang.core import receipts
from taizhang.intake.models import Suggestion
from taizhang.intake.permissions import visible_suggestions
from taizhang.intake.privacy import mask_numbers_in_text
from taizhang.search import engine
from taizhang.search.engine import Results
from taizhang.search.registry import Source, ids_of
from taizhang.search.snippets import snippet, spans
from taizhang.search.tokens import Document, parse_query

KIND = "suggestion"


def documents(ids: Sequence[int]) -> list[Document]:
    rows = Suggestion.objects.filter(pk__in=ids).values_list(
        "pk", "campaign_id", "receipt_code", "title", "text"
    )
    return [
        Document(KIND, pk, campaign_id, {"A": [code, receipts.display(code), title], "C": [text]})
        for pk, campaign_id, code, title, text in rows
    ]


def ids(campaign_id: int | None) -> Iterable[int]:
    return ids_of(Suggestion.objects.all(), campaign_id)


SOURCE = Source(KIND, documents, ids)


@dataclass
class Found:
    suggestion: Suggestion
    text: SafeString  # the title, or the stretch of the text that matched (numbers masked)


def search_suggestions(
    user: object, campaign: Campaign, typed: str, *, limit: int = 20, offset: int = 0
) -> Results[Found]:
    query = parse_query(typed)
    allowed = visible_suggestions(user, campaign)
    if not allowed.exists():
        return Results(query, [], 0, False)
    hits = engine.search(KIND, campaign.pk, query, scope=None, limit=limit, offset=offset)
    by_id = {s.pk: s for s in allowed.filter(pk__in=hits.ids)}
    found = []
    for pk in hits.ids:
        if pk in by_id:
            s = by_id[pk]
            text = mask_numbers_in_text(s.text)
            shown = s.title if spans(s.title, query) or not spans(text, query) else text
            found.append(Found(s, snippet(shown, query)))
    return Results(query, found, hits.total, hits.capped)
