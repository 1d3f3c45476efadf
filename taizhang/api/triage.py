"""Triage for machine clients: hints on one suggestion, routing, runs and their clusters."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from taizhang.api.suggestions import SuggestionSerializer, _errors
from taizhang.campaigns.access import campaign_for
from taizhang.campaigns.models import Campaign
from taizhang.intake import permissions
from taizhang.intake.models import Suggestion
from taizhang.ledger.errors import ConflictError
from taizhang.triage import jobs, services
from taizhang.triage.models import Proposal, Run, RunKind, RunStatus, Target


def _office_suggestion(request: Request, pk: int) -> Suggestion:
    s = get_object_or_404(Suggestion.objects.select_related("campaign__org"), pk=pk)
    if not permissions.can_triage(request.user, s.campaign):
        raise ApiPermissionDenied("只有活动办公室可以分办意见建议。")
    return s


def _office_campaign(request: Request, slug: str) -> Campaign:
    campaign = campaign_for(request.user, slug)
    if not permissions.can_triage(request.user, campaign):
        raise ApiPermissionDenied("只有活动办公室可以使用分诊。")
    return campaign


class ProposalSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", default=None, allow_null=True)
    org_code = serializers.CharField(source="org.code", default=None, allow_null=True)
    org_name = serializers.CharField(source="org.name", default=None, allow_null=True)

    class Meta:
        model = Proposal
        fields = [
            "area",
            "area_name",
            "area_confidence",
            "area_basis",
            "org_code",
            "org_name",
            "org_confidence",
            "area_agreed",
            "org_agreed",
            "model_versions",
            "decision",
        ]


class SimilarSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="suggestion.pk")
    receipt_code = serializers.CharField(source="suggestion.receipt_code")
    title = serializers.CharField(source="suggestion.title")
    status = serializers.CharField(source="suggestion.status")
    score = serializers.FloatField()


class PrecedentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="suggestion.pk")
    receipt_code = serializers.CharField(source="suggestion.receipt_code")
    campaign = serializers.CharField(source="suggestion.campaign.slug")
    summary = serializers.CharField()
    similarity = serializers.FloatField()
    area = serializers.IntegerField(source="area.pk", default=None, allow_null=True)
    area_name = serializers.CharField(source="area.name", default=None, allow_null=True)
    org_code = serializers.CharField(source="unit.code", default=None, allow_null=True)
    org_name = serializers.CharField(source="unit.name", default=None, allow_null=True)
    kind = serializers.CharField()
    earlier = serializers.BooleanField()


class HintsSerializer(serializers.Serializer):
    proposal = ProposalSerializer(allow_null=True)
    duplicates = SimilarSerializer(many=True)
    precedents = PrecedentSerializer(many=True)


class TriageHints(GenericAPIView):
    """The proposed area and unit (with confidence and whether the model and the precedents
    agreed), the likely duplicates (with score) and the most similar labelled suggestions with
    where they went (precedents, with similarity)."""

    serializer_class = HintsSerializer

    def get(self, request: Request, pk: int) -> Response:
        s = _office_suggestion(request, pk)
        proposal = Proposal.objects.filter(suggestion=s).select_related("area", "org").first()
        data = {
            "proposal": proposal,
            "duplicates": services.likely_duplicates(s),
            "precedents": services.precedents(s),
        }
        return Response(HintsSerializer(data).data)


class RouteSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    focus_area = serializers.IntegerField(allow_null=True)


class SuggestionRoute(GenericAPIView):
    """Accept the proposed focus area, or correct it: the answer becomes a training label."""

    serializer_class = RouteSerializer

    @extend_schema(responses={200: SuggestionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        s = _office_suggestion(request, pk)
        incoming = RouteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        area = s.campaign.focus_areas.filter(pk=d["focus_area"] or 0).first()
        if d["focus_area"] and area is None:
            return Response({"detail": ["聚焦领域不属于本活动。"]}, status=400)
        try:
            services.decide(s, by=request.user, version=d["version"], area=area)
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            return _errors(exc)
        s.refresh_from_db()
        return Response(SuggestionSerializer(s).data)


class RunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    # Hot topics name no target: "" is one of its values.
    target = serializers.ChoiceField(choices=[("", "—"), *Target.choices], read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "kind",
            "target",
            "status",
            "percent",
            "requested_at",
            "finished_at",
            "size",
            "message",
        ]
        read_only_fields = fields


class NewRunSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RunKind.choices)
    target = serializers.ChoiceField(choices=Target.choices, required=False, default="")


class TriageRuns(GenericAPIView):
    """Start a background run (hot topics, duplicate clustering, training); 202 with its id."""

    serializer_class = NewRunSerializer
    pagination_class = None  # GET answers the latest 20, as a plain list

    @extend_schema(
        operation_id="campaigns_triage_runs_list", responses={200: RunSerializer(many=True)}
    )
    def get(self, request: Request, slug: str) -> Response:
        campaign = _office_campaign(request, slug)
        runs = Run.objects.filter(campaign=campaign)[:20]
        return Response(RunSerializer(runs, many=True).data)

    @extend_schema(responses={202: RunSerializer})
    def post(self, request: Request, slug: str) -> Response:
        campaign = _office_campaign(request, slug)
        incoming = NewRunSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            run = jobs.start_run(campaign, by=request.user, **incoming.validated_data)
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class TriageRunDetail(GenericAPIView):
    """A run's progress; DELETE asks it to stop (nothing it computed is kept)."""

    serializer_class = RunSerializer

    def _run(self, request: Request, slug: str, pk: int) -> Run:
        return get_object_or_404(Run, pk=pk, campaign=_office_campaign(request, slug))

    def get(self, request: Request, slug: str, pk: int) -> Response:
        return Response(RunSerializer(self._run(request, slug, pk)).data)

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        run = self._run(request, slug, pk)
        jobs.cancel_run(run, by=request.user)
        run.refresh_from_db()
        return Response(RunSerializer(run).data)


class ClusterSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    title = serializers.CharField()
    size = serializers.IntegerField()
    citizens = serializers.IntegerField()
    votes = serializers.IntegerField()
    score = serializers.FloatField()
    first_at = serializers.DateTimeField(allow_null=True)
    last_at = serializers.DateTimeField(allow_null=True)
    suggestions = serializers.SerializerMethodField()

    def get_suggestions(self, c: Any) -> list[int]:
        return sorted(s.pk for s in c.suggestions.all())


class HotTopicsSerializer(serializers.Serializer):
    run = RunSerializer(allow_null=True)
    clusters = ClusterSerializer(many=True)


class HotTopics(GenericAPIView):
    """The latest finished run's clusters: ?kind=topics (default) or ?kind=duplicates."""

    serializer_class = ClusterSerializer

    @extend_schema(responses={200: HotTopicsSerializer})
    def get(self, request: Request, slug: str) -> Response:
        campaign = _office_campaign(request, slug)
        kind = request.query_params.get("kind", RunKind.TOPICS)
        run = Run.objects.filter(campaign=campaign, kind=kind, status=RunStatus.DONE).first()
        if run is None:
            return Response({"run": None, "clusters": []})
        clusters = run.clusters.prefetch_related("suggestions")[:200]
        return Response(
            {
                "run": RunSerializer(run).data,
                "clusters": ClusterSerializer(clusters, many=True).data,
            }
        )
