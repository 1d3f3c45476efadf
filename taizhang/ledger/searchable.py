"""Problems in the full-text index: what a problem is found by, and the search in a reader's
scope. Every change to a problem writes a history row, and every history row passes through
`chain`, which marks the problem for the index (`search.services.mark`)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import Measure, Problem, ProgressReport
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.scoping import scope_of
from taizhang.search import engine
from taizhang.search.engine import Results
from taizhang.search.registry import Source, ids_of, scope_token, scope_tokens
from taizhang.search.snippets import snippet, spans
from taizhang.search.tokens import Document, Query, parse_query

KIND = "problem"
# Where a result's shown text comes from, in the order looked at: the first with a match.
SHOWN = (
    ("title", _("问题")),
    ("description", _("问题描述")),
    ("measures", _("整改措施")),
    ("progress", _("进展情况")),
    ("closure_note", _("整改结果")),
    ("people", _("责任人")),
    ("org", _("责任单位")),
    ("number", _("编号")),
)


def _texts(ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Each problem's searchable text by field."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = Problem.objects.filter(pk__in=ids).values_list(
        "pk", "number", "title", "description", "closure_note", "responsible_leader",
        "responsible_person", "org__name",
    )  # fmt: skip
    for pk, number, title, description, closure, leader, person, org in rows:
        f = found[pk]
        f["number"], f["title"], f["description"] = [number], [title], [description]
        f["closure_note"], f["people"], f["org"] = [closure], [leader, person], [org]
    for pk, content in Measure.objects.filter(problem_id__in=ids).values_list(
        "problem_id", "content"
    ):
        found[pk]["measures"].append(content)
    for pk, text in ProgressReport.objects.filter(problem_id__in=ids).values_list(
        "problem_id", "text"
    ):
        found[pk]["progress"].append(text)
    return found


def documents(ids: Sequence[int]) -> list[Document]:
    texts = _texts(ids)
    where: dict[int, tuple[int, list[str]]] = {}
    for pk, campaign_id, path in Problem.objects.filter(pk__in=ids).values_list(
        "pk", "campaign_id", "org_path"
    ):
        where[pk] = (campaign_id, [path])
    helpers = Problem.cooperating_orgs.through.objects.filter(problem_id__in=ids)
    for pk, path in helpers.values_list("problem_id", "org__path"):
        where[pk][1].append(path)
    docs = []
    for pk, (campaign_id, paths) in where.items():
        t = texts[pk]
        fields = {
            "A": t["number"] + t["title"],
            "B": t["org"] + t["people"] + t["measures"],
            "C": t["description"] + t["progress"] + t["closure_note"],
        }
        docs.append(Document(KIND, pk, campaign_id, fields, scope_tokens(*paths)))
    return docs


def ids(campaign_id: int | None) -> Iterable[int]:
    return ids_of(Problem.objects.all(), campaign_id)


SOURCE = Source(KIND, documents, ids)


def reader_scope(user: object, campaign: Campaign) -> set[str] | None:
    """The scope tokens of the units whose problems the user may find; None: all of the
    campaign's (as `visible_problems`, which the results are held to as well)."""
    scope = scope_of(user)
    if scope.is_superuser or scope.reaches(campaign.org.path):
        return None
    return {scope_token(path.strip("/").split("/")[-1]) for path in scope.paths() if path != "/"}


@dataclass
class Found:
    problem: Problem
    field: str  # the label of the field the shown text comes from
    text: SafeString

    @property
    def in_title(self) -> bool:
        return self.field == str(SHOWN[0][1])


def search_problems(
    user: object, campaign: Campaign, typed: str, *, limit: int = 20, offset: int = 0
) -> Results[Found]:
    """The problems the user may see that match `typed`, best first, each with the text that
    matched and the matches marked."""
    query = parse_query(typed)
    hits = engine.search(
        KIND, campaign.pk, query, scope=reader_scope(user, campaign), limit=limit, offset=offset
    )
    shown = visible_problems(user, campaign).filter(pk__in=hits.ids).select_related("org")
    by_id = {p.pk: p for p in shown}
    texts = _texts(list(by_id))
    found = []
    for pk in hits.ids:
        if pk not in by_id:
            continue  # the index lags a change of scope: the ledger's rule decides
        field, text = _shown(texts[pk], query)
        found.append(Found(by_id[pk], str(field), text))
    return Results(query, found, hits.total, hits.capped)


def _shown(texts: dict[str, list[str]], query: Query) -> tuple[str, SafeString]:
    for name, label in SHOWN:
        for text in texts.get(name, ()):
            if text and spans(text, query):
                return str(label), snippet(text, query, 300 if name == "title" else 80)
    return str(SHOWN[0][1]), snippet(texts["title"][0], query, 300)


def matching(campaign: Campaign, typed: str) -> tuple[str, list[Any]] | None:
    """SQL for the ids of every problem matching `typed` (the list's `q=`), or None for a
    query with nothing to match (punctuation only)."""
    query = parse_query(typed)
    if not query:
        return None
    return engine.matching_ids_sql(KIND, campaign.pk, query)
