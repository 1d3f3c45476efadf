"""The demo's triage: every suggestion indexed, a trained area model, proposals, hot topics."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.core.bulk import insert_rows
from taizhang.intake.models import Suggestion, SuggestionStatus
from taizhang.triage import dedup, jobs, services
from taizhang.triage.classify import prepare
from taizhang.triage.models import Band, Basis, Proposal, Run, RunKind, Target

CHUNK = 5000


def build_triage(campaign: Campaign) -> None:
    rows = list(
        Suggestion.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list("pk", "title", "text", "status")
    )
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        texts = [services.matching_text_of(title, text) for _pk, title, text, _s in part]
        keys = dedup.band_keys(dedup.signatures(dedup.shingle_lists(texts)))
        insert_rows(
            Band,
            ("campaign_id", "key", "suggestion_id"),
            [
                (campaign.pk, int(k), pk)
                for (pk, *_rest), ks in zip(part, keys, strict=True)
                for k in ks
            ],
        )
    try:
        model = services.train(campaign, Target.AREA, seed=0)
    except ValidationError:
        return
    waiting = [r for r in rows if r[3] == SuggestionStatus.RECEIVED]
    classifier = services.loaded_model(model)
    proposals = classifier.propose([prepare(t, x) for _pk, t, x, _s in waiting])
    Proposal.objects.bulk_create(
        Proposal(
            suggestion_id=pk,
            area_id=int(p.label),
            area_confidence=p.confidence,
            area_basis=Basis.MODEL,
            area_agreed=p.agreed,
            model_versions={"area": model.version},
        )
        for (pk, *_rest), p in zip(waiting, proposals, strict=True)
    )
    for kind in (RunKind.TOPICS, RunKind.DUPLICATES):
        run = Run.objects.create(campaign=campaign, kind=kind, requested_at=timezone.now())
        jobs.execute(run.pk)
