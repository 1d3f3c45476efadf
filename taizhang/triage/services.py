"""Triage on the campaign's own suggestions: index, find duplicates, propose, learn, cluster.

Pages, the API, the commands and the background tasks all come through here.
"""

import datetime as dt
import difflib
import html
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core.fresh import FreshFor
from taizhang.core.text import compact, mask_personal_data
from taizhang.intake import permissions
from taizhang.intake import services as intake
from taizhang.intake.models import Suggestion, SuggestionStatus
from taizhang.ledger.models import Status as ProblemStatus
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.models import Org
from taizhang.triage import classify, dedup
from taizhang.triage.classify import BlendClassifier, Classifier, prepare
from taizhang.triage.models import (
    Band,
    Basis,
    Cluster,
    Decision,
    Proposal,
    Target,
    TriageModel,
)

SHOW_FROM = 0.3  # Jaccard from which a suggestion is listed as a likely duplicate
MIN_LABELS = 20  # labelled suggestions needed before a model replaces the keywords
MIN_PER_CLASS = 2
CV_SAMPLE = 5000  # rows cross-validated for a model's figures (training uses all rows)


def matching_text(s: Suggestion) -> str:
    """What is compared and classified: title and text, with personal numbers masked first."""
    return matching_text_of(s.title, s.text)


def matching_text_of(title: str, text: str) -> str:
    return mask_personal_data(f"{title}。{text}")


# Indexing ------------------------------------------------------------------------------------


def index_suggestions(suggestions: Sequence[Suggestion], fresh: bool = False) -> int:
    """Store the band keys of each suggestion (replacing old ones unless `fresh`)."""
    if not suggestions:
        return 0
    keys = dedup.band_keys(
        dedup.signatures(dedup.shingle_lists([matching_text(s) for s in suggestions]))
    )
    if not fresh:
        Band.objects.filter(suggestion__in=[s.pk for s in suggestions]).delete()
    rows = [
        Band(campaign_id=s.campaign_id, key=int(k), suggestion_id=s.pk)
        for s, ks in zip(suggestions, keys, strict=True)
        for k in ks
    ]
    Band.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def on_new_suggestion(s: Suggestion) -> None:
    """Called once a suggestion is stored: index it for duplicates and propose its routing
    (nothing is stored when there is nothing to propose: no keywords, no model). Deferred to
    the worker's batches when settings.TRIAGE_ON_ARRIVAL says so."""
    if settings.TRIAGE_ON_ARRIVAL == "deferred":
        return
    with transaction.atomic():
        index_suggestions([s], fresh=True)
        propose(s, fresh=True)


def index_arrivals() -> None:
    """The worker's clock: index what arrived since, batch after batch through a burst (when
    intake defers that work here: settings.TRIAGE_ON_ARRIVAL = "deferred")."""
    while index_pending() == 2000:
        pass


def index_pending(limit: int = 2000, within: dt.timedelta = dt.timedelta(days=2)) -> int:
    """The worker's batch: recent suggestions not yet indexed get their bands and proposals,
    computed together (one signature pass, one model call, bulk inserts)."""
    since = timezone.now() - within
    pending = list(
        Suggestion.objects.filter(submitted_at__gte=since)
        .filter(~Exists(Band.objects.filter(suggestion=OuterRef("pk"))))
        .select_related("campaign")
        .order_by("pk")[:limit]
    )
    if not pending:
        return 0
    with transaction.atomic():
        index_suggestions(pending, fresh=True)
        by_campaign: dict[int, list[Suggestion]] = {}
        for s in pending:
            by_campaign.setdefault(s.campaign_id, []).append(s)
        for group in by_campaign.values():
            _propose_batch(group)
    return len(pending)


def _propose_batch(group: list[Suggestion]) -> None:
    campaign = group[0].campaign
    models = _cached(campaign, lambda: _latest_models(campaign), "models")
    area_model = models.get(Target.AREA)
    if area_model is None or models.get(Target.ORG) is not None:
        for s in group:
            propose(s, fresh=True)
        return
    docs = [prepare(s.title, mask_personal_data(s.text)) for s in group]
    areas = {a.pk: a for a in campaign.focus_areas.all()}
    proposals = loaded_model(area_model).propose(docs)
    Proposal.objects.bulk_create(
        Proposal(
            suggestion=s,
            area=areas.get(int(p.label)),
            area_confidence=p.confidence,
            area_basis=Basis.MODEL,
            area_agreed=p.agreed,
            model_versions={"area": area_model.version},
        )
        for s, p in zip(group, proposals, strict=True)
    )


# Duplicates ----------------------------------------------------------------------------------


@dataclass
class Similar:
    suggestion: Suggestion
    score: float  # Jaccard similarity of the two texts' 3-grams, 0–1
    mine: SafeString  # this suggestion's text with what the other lacks marked
    theirs: SafeString


def likely_duplicates(s: Suggestion, limit: int = 8) -> list[Similar]:
    keys = list(Band.objects.filter(suggestion=s).values_list("key", flat=True))
    if not keys:  # not yet indexed (deferred to the worker): index it now
        index_suggestions([s], fresh=True)
        keys = list(Band.objects.filter(suggestion=s).values_list("key", flat=True))
    shared = Counter(
        Band.objects.filter(campaign_id=s.campaign_id, key__in=keys)
        .exclude(suggestion=s)
        .values_list("suggestion_id", flat=True)
    )
    if not shared:
        return []
    candidates = Suggestion.objects.filter(
        pk__in=[pk for pk, _n in shared.most_common(200)]
    ).exclude(status=SuggestionStatus.INVALID)
    mine = dedup.shingles(matching_text(s))
    found = []
    for other in candidates:
        score = dedup.jaccard(mine, dedup.shingles(matching_text(other)))
        if score >= SHOW_FROM:
            a, b = highlight_differences(matching_text(s), matching_text(other))
            found.append(Similar(other, round(score, 3), a, b))
    found.sort(key=lambda x: (-x.score, x.suggestion.pk))
    return found[:limit]


def highlight_differences(a: str, b: str) -> tuple[SafeString, SafeString]:
    """Both texts, escaped, with the parts the other does not have in <mark>."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        x, y = html.escape(a[i1:i2]), html.escape(b[j1:j2])
        if op == "equal":
            left.append(x)
            right.append(y)
        else:
            left.append(f"<mark>{x}</mark>" if x else "")
            right.append(f"<mark>{y}</mark>" if y else "")
    return mark_safe("".join(left)), mark_safe("".join(right))


def merge(s: Suggestion, *, into: Suggestion, by: Any, version: int) -> Suggestion:
    """One click in the triage view: s becomes a duplicate of `into` (or of its original)."""
    return intake.mark_duplicate(s, by=by, version=version, of=into)


# Proposals -----------------------------------------------------------------------------------


# Intake is the hot path: what every new suggestion needs of its campaign is read at most once
# every few seconds per process (a new model or new keywords take effect within that time).
_per_campaign = FreshFor("triage-campaign", seconds=10.0)


def _cached(campaign: Campaign, read: Callable[[], Any], key: str) -> Any:
    return _per_campaign.get((campaign.pk, key), read)


def forget_cached(campaign: Campaign | None = None) -> None:
    """Drop what is cached of a campaign (of every campaign without one); models.py's signals
    call this when a focus area or a model is saved."""
    _per_campaign.forget(lambda key: campaign is None or key[0] == campaign.pk)  # type: ignore[index]


def _area_keywords(campaign: Campaign) -> list[tuple[FocusArea, set[str]]]:
    return [
        (area, {compact(w) for w in re.split(r"[,，、;；\s]+", area.keywords) if w.strip()})
        for area in campaign.focus_areas.all()
    ]


@transaction.atomic
def set_keywords(campaign: Campaign, *, by: Any, keywords: dict[int, str]) -> None:
    """The office edits the words that point to each focus area (until a model takes over)."""
    if not permissions.can_triage(by, campaign):
        raise PermissionDenied(_("只有活动办公室可以使用分诊。"))
    for area in campaign.focus_areas.filter(pk__in=keywords):
        area.keywords = keywords[area.pk][:4000]
        area.save(update_fields=["keywords"])


@transaction.atomic
def allow_earlier_precedents(campaign: Campaign, *, by: Any, allowed: bool) -> None:
    """The office lets the campaigns before this one lend their labelled suggestions as
    precedents (shown, and learnt from at the next training), or stops it."""
    if not permissions.can_triage(by, campaign):
        raise PermissionDenied(_("只有活动办公室可以使用分诊。"))
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    locked.rules = {**locked.rules, "precedents_from_earlier": allowed}
    locked.save(update_fields=["rules"])
    campaign.rules = locked.rules


def keyword_scores(campaign: Campaign, text: str) -> list[tuple[FocusArea, int]]:
    """Areas whose keywords occur in the text, with how many occur, best first."""
    plain = compact(text)
    scored = []
    for area, words in _cached(campaign, lambda: _area_keywords(campaign), "keywords"):
        hits = sum(1 for w in words if w and w in plain)
        if hits:
            scored.append((area, hits))
    return sorted(scored, key=lambda x: (-x[1], x[0].order, x[0].pk))


def loaded_model(model: TriageModel) -> Classifier:
    # Rows never change once written (a new training makes a new version), so a model can be
    # cached across requests; the training time guards against a reused primary key.
    return _loaded(model.pk, model.trained_at.isoformat())


@lru_cache(maxsize=4)  # a large campaign's model is tens of MB
def _loaded(model_pk: int, trained_at: str) -> Classifier:
    blob = TriageModel.objects.values_list("blob", flat=True).get(pk=model_pk)
    return classify.loads(bytes(blob))


def _latest_models(campaign: Campaign) -> dict[str, TriageModel]:
    latest: dict[str, TriageModel] = {}
    for m in (
        TriageModel.objects.filter(campaign=campaign).defer("blob").order_by("target", "-version")
    ):
        latest.setdefault(m.target, m)
    return latest


def area_proposer(campaign: Campaign) -> Callable[[str], FocusArea | None] | None:
    """What proposes a focus area for a problem's text (an office's ledger that names none):
    the campaign's latest area model, else its keywords; None when it has neither. Each text
    is worked out once."""
    model = _latest_models(campaign).get(Target.AREA)
    areas = {str(a.pk): a for a in campaign.focus_areas.all()}
    has_keywords = any(words for _area, words in _area_keywords(campaign))
    if model is None and not has_keywords:
        return None
    classifier = loaded_model(model) if model is not None else None
    known: dict[str, FocusArea | None] = {}

    def propose_area(text: str) -> FocusArea | None:
        if text not in known:
            if classifier is not None:
                known[text] = areas.get(classifier.propose([prepare(text, "")])[0].label)
            else:
                scored = keyword_scores(campaign, text)
                known[text] = scored[0][0] if scored else None
        return known[text]

    return propose_area


def propose(s: Suggestion, fresh: bool = False) -> Proposal:
    doc = prepare(s.title, mask_personal_data(s.text))
    fields: dict[str, Any] = {"model_versions": {}}
    models = _cached(s.campaign, lambda: _latest_models(s.campaign), "models")
    area_model = models.get(Target.AREA)
    if area_model is not None:
        p = loaded_model(area_model).propose([doc])[0]
        area = s.campaign.focus_areas.filter(pk=int(p.label)).first()
        fields.update(
            area=area, area_confidence=p.confidence, area_basis=Basis.MODEL, area_agreed=p.agreed
        )
        fields["model_versions"]["area"] = area_model.version
    else:
        scored = keyword_scores(s.campaign, f"{s.title} {s.text}")
        if scored:
            total = sum(h for _a, h in scored)
            fields.update(
                area=scored[0][0],
                area_confidence=round(scored[0][1] / total, 3),
                area_basis=Basis.KEYWORDS,
            )
    org_model = models.get(Target.ORG)
    if org_model is not None:
        p = loaded_model(org_model).propose([doc])[0]
        fields.update(
            org=Org.objects.filter(code=p.label).first(),
            org_confidence=p.confidence,
            org_agreed=p.agreed,
        )
        fields["model_versions"]["org"] = org_model.version
    if fresh:
        if fields.get("area") is None and fields.get("org") is None:
            return Proposal(suggestion=s, **fields)  # unsaved: the page proposes on demand
        return Proposal.objects.create(suggestion=s, **fields)
    proposal, _created = Proposal.objects.update_or_create(suggestion=s, defaults=fields)
    return proposal


@dataclass
class PrecedentRow:
    """A labelled suggestion like the one in hand, and where it went."""

    suggestion: Suggestion
    summary: str  # its title, or the opening of its text, personal numbers masked
    similarity: float
    area: FocusArea | None  # its confirmed area, as one of this campaign's
    unit: Org | None  # the lead unit of the (first) problem it became
    kind: str  # that problem's 整改类型, "" when it became none
    earlier: bool  # from a campaign before this one


def precedents(s: Suggestion, limit: int = 5) -> list[PrecedentRow]:
    """The labelled suggestions most like `s` (of this campaign, and of earlier ones when the
    rule allows), best first: found by the latest area model's precedent index, with what they
    are now (a correction since the training shows)."""
    models = _cached(s.campaign, lambda: _latest_models(s.campaign), "models")
    model = models.get(Target.AREA)
    if model is None:
        return []
    doc = prepare(s.title, mask_personal_data(s.text))
    classifier = loaded_model(model)
    # Candidates by their distinctive terms, then ranked by the cosine over all terms.
    found = [p.key for p in classifier.precedents([doc], k=3 * limit + 1)[0] if p.key != s.pk]
    rows = {
        r.pk: r
        for r in Suggestion.objects.filter(pk__in=found)
        .exclude(status=SuggestionStatus.INVALID)
        .select_related("focus_area", "campaign")
    }
    keys = [key for key in found if key in rows]
    scores = classifier.similarities(
        doc, [prepare(rows[k].title, mask_personal_data(rows[k].text)) for k in keys]
    )
    ranked = sorted(zip(keys, scores, strict=True), key=lambda ks: (-ks[1], ks[0]))[:limit]
    similarity = dict(ranked)
    areas = {a.name: a for a in s.campaign.focus_areas.all()}
    problems: dict[int, tuple[int, str]] = {}  # suggestion → its first problem's unit, kind
    for suggestion_id, org, kind in (
        Suggestion.problems.through.objects.filter(suggestion_id__in=rows)
        .order_by("problem_id")
        .values_list("suggestion_id", "problem__org", "problem__kind")
    ):
        problems.setdefault(suggestion_id, (org, kind))
    units = Org.objects.in_bulk([org for org, _kind in problems.values()])
    result = []
    for key, score in similarity.items():
        row = rows[key]
        org, kind = problems.get(key, (0, ""))
        result.append(
            PrecedentRow(
                suggestion=row,
                summary=row.title or mask_personal_data(row.text)[:60],
                similarity=score,
                area=areas.get(row.focus_area.name) if row.focus_area else None,
                unit=units.get(org),
                kind=kind,
                earlier=row.campaign_id != s.campaign_id,
            )
        )
    return result


@transaction.atomic
def decide(s: Suggestion, *, by: Any, version: int, area: FocusArea | None) -> Proposal:
    """Staff accept the proposed area or correct it; either way it becomes a training label.

    The proposed unit is accepted or corrected by converting the suggestion into a problem for
    that unit (or another), which is the unit model's label.
    """
    if not permissions.can_triage(by, s.campaign):
        raise PermissionDenied(_("只有活动办公室可以分办意见建议。"))
    proposal = Proposal.objects.select_for_update().filter(suggestion=s).first()
    if proposal is None:
        proposal = propose(s)
    intake.route_suggestion(s, by=by, version=version, focus_area=area)
    same = proposal.area_id == (area.pk if area else None)
    proposal.decision = Decision.ACCEPTED if same else Decision.CORRECTED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.save()
    return proposal


# Training ------------------------------------------------------------------------------------


def training_rows(campaign: Campaign, target: str) -> tuple[list[str], list[str], list[int]]:
    """The labelled suggestions, as (documents, labels, suggestion keys): the area staff confirmed
    (or the citizen chose and nobody corrected), or the lead unit of the problem a suggestion
    became. With the campaign's rule precedents_from_earlier, the campaigns before it count
    too, their areas matched to this campaign's by name."""
    docs: list[str] = []
    labels: list[str] = []
    keys: list[int] = []
    for source in precedent_campaigns(campaign):
        if target == Target.AREA:
            here = {a.name: str(a.pk) for a in campaign.focus_areas.all()}
            rows = (
                Suggestion.objects.filter(campaign=source, focus_area__isnull=False)
                .exclude(status=SuggestionStatus.INVALID)
                .values_list("pk", "title", "text", "focus_area__name")
                .order_by("pk")
            )
            for pk, title, text, area_name in rows.iterator(chunk_size=2000):
                if area_name in here:
                    docs.append(prepare(title, mask_personal_data(text)))
                    labels.append(here[area_name])
                    keys.append(pk)
        else:
            units = (
                Suggestion.objects.filter(campaign=source, problems__isnull=False)
                .values_list("pk", "title", "text", "problems__org__code")
                .order_by("pk", "problems__pk")
            )
            seen: set[int] = set()
            for pk, title, text, code in units.iterator(chunk_size=2000):
                if pk in seen:  # one suggestion split into several problems: the first unit
                    continue
                seen.add(pk)
                docs.append(prepare(title, mask_personal_data(text)))
                labels.append(code)
                keys.append(pk)
    return docs, labels, keys


def precedent_campaigns(campaign: Campaign) -> list[Campaign]:
    """The campaign, then (when its rule allows) the ones before it, newest first."""
    found = [campaign]
    if campaign.rule("precedents_from_earlier"):
        earlier = campaign.previous
        while earlier is not None and earlier not in found:
            found.append(earlier)
            earlier = earlier.previous
    return found


def train(
    campaign: Campaign,
    target: str,
    *,
    by: Any = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> TriageModel:
    docs, labels, keys = training_rows(campaign, target)
    counts = Counter(labels)
    usable = {label for label, n in counts.items() if n >= MIN_PER_CLASS}
    rows = [(d, y, k) for d, y, k in zip(docs, labels, keys, strict=True) if y in usable]
    if len(rows) < MIN_LABELS or len(usable) < 2:
        raise ValidationError(
            _("标注数据不足:需要至少 %(n)d 条、两个以上类别的已分类意见建议(现有 %(m)d 条)。")
            % {"n": MIN_LABELS, "m": len(rows)}
        )
    docs, labels, keys = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    metrics = cross_validate(docs, labels, seed=seed, progress=progress)
    started = time.perf_counter()
    model = BlendClassifier(seed=seed).fit(docs, labels, keys)
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    forget_cached(campaign)
    with transaction.atomic():
        last = TriageModel.objects.filter(campaign=campaign, target=target).aggregate(
            v=Max("version")
        )["v"]
        return TriageModel.objects.create(
            campaign=campaign,
            target=target,
            version=(last or 0) + 1,
            trained_at=timezone.now(),
            trained_by=by,
            train_size=len(docs),
            seed=seed,
            labels=model.labels,
            metrics=metrics,
            blob=model.dumps(),
        )


def cross_validate(
    docs: list[str],
    labels: list[str],
    *,
    seed: int = 0,
    folds: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    if len(docs) > CV_SAMPLE:  # the figures of a large campaign, from a stratified sample
        from sklearn.model_selection import train_test_split

        docs, _rest, labels, _rest_labels = train_test_split(
            docs, labels, train_size=CV_SAMPLE, stratify=labels, random_state=seed
        )
    folds = max(2, min(folds, min(Counter(labels).values())))
    y = np.array(labels)
    predicted = np.empty(len(labels), dtype=object)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for n, (train_idx, test_idx) in enumerate(splitter.split(docs, y), start=1):
        model = BlendClassifier(seed=seed).fit([docs[i] for i in train_idx], y[train_idx])
        predicted[test_idx] = model.predict([docs[i] for i in test_idx])
        if progress:
            progress(n, folds + 1)
    return {
        "folds": folds,
        "macro_f1": round(float(f1_score(y, predicted.astype(str), average="macro")), 4),
        "accuracy": round(float(accuracy_score(y, predicted.astype(str))), 4),
    }


# Problems ------------------------------------------------------------------------------------


@dataclass
class SimilarProblem:
    pk: int
    number: str
    title: str
    org_name: str
    status: str
    score: float


def similar_problems(
    user: Any, campaign: Campaign, text: str, org_code: str = "", limit: int = 5
) -> list[SimilarProblem]:
    """Problems of the campaign the user sees (under `org_code` when given) that read like
    `text`: what staff look at before recording a problem twice."""

    mine = dedup.shingles(mask_personal_data(text))
    if len(compact(text)) < 4:
        return []
    rows = (
        visible_problems(user)
        .filter(campaign=campaign)
        .exclude(status__in=[ProblemStatus.VOID, ProblemStatus.MERGED])
    )
    org = Org.objects.filter(code=org_code.strip()).first() if org_code else None
    if org is not None:
        rows = rows.filter(org_path__under=org.path)
    candidates = list(
        rows.order_by("-created_at").values_list(
            "pk", "number", "title", "description", "org__name", "status"
        )[:5000]
    )
    if not candidates:
        return []
    lists = dedup.shingle_lists(
        [mask_personal_data(f"{t}。{d}") for _p, _n, t, d, _o, _s in candidates]
    )
    found = []
    for (pk, number, title, _d, org_name, status), grams in zip(candidates, lists, strict=True):
        score = dedup.jaccard(mine, np.unique(grams))
        if score >= SHOW_FROM:
            label = ProblemStatus(status).label
            found.append(SimilarProblem(pk, number, title, org_name, str(label), round(score, 3)))
    found.sort(key=lambda x: -x.score)
    return found[:limit]


@dataclass
class Merged:
    """What merging a cluster did: how many became duplicates, which were left as they were
    (already handled), and which were refused and why."""

    done: int
    left: int
    refused: dict[str, str]


def merge_cluster(cluster: Cluster, *, by: Any, original: Suggestion) -> Merged:
    """合并重复: every suggestion of the group still waiting becomes a duplicate of `original`
    (one of the group), each through the same step and check as by hand, in its own
    transaction; those already answered, converted or set aside are left."""
    members = list(cluster.suggestions.order_by("submitted_at", "pk"))
    if original.pk not in {s.pk for s in members}:
        raise ValidationError(_("原件须是这一组中的一条意见建议。"))
    done, left, refused = 0, 0, {}
    for s in members:
        if s.pk == original.pk:
            continue
        if s.status != SuggestionStatus.RECEIVED:
            left += 1
            continue
        try:
            intake.mark_duplicate(s, by=by, version=s.version, of=original)
        except (ValidationError, PermissionDenied) as exc:
            refused[s.receipt_code] = "".join(getattr(exc, "messages", [str(exc)]))
        else:
            done += 1
    return Merged(done, left, refused)
