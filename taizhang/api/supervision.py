"""Supervision for machine clients: notices, call-backs, spot checks and the ranking."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from taizhang.api.suggestions import _errors
from taizhang.campaigns.access import campaign_for
from taizhang.evaluation import services as evaluation
from taizhang.evaluation.models import CallBack
from taizhang.ledger.permissions import visible_problems
from taizhang.notifications.models import Message
from taizhang.notifications.services import mark_read
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import scope_of
from taizhang.reports.ranking import ranking
from taizhang.supervision import services, spotchecks, teams
from taizhang.supervision.models import (
    InspectionTeam,
    Notice,
    NoticeKind,
    SpotCheck,
    SpotCheckItem,
)


class NoticeSerializer(serializers.ModelSerializer):
    problem_number = serializers.CharField(source="problem.number", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "problem",
            "problem_number",
            "measure",
            "org_code",
            "issued_on",
            "issued_by",
            "deadline",
            "text",
            "reply_due",
            "status",
            "reply",
            "replied_at",
            "replied_on_time",
        ]
        read_only_fields = fields


class NoticeList(ListAPIView):
    """Notices of the units the caller reaches; ?kind=, ?status=."""

    serializer_class = NoticeSerializer

    def get_queryset(self) -> Any:
        campaign = campaign_for(self.request.user, self.kwargs["slug"])
        rows = services.visible_notices(self.request.user, campaign).select_related(
            "problem", "org"
        )
        for field in ("kind", "status"):
            if self.request.query_params.get(field):
                rows = rows.filter(**{field: self.request.query_params[field]})
        return rows


class IssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[NoticeKind.URGE, NoticeKind.SUPERVISE, NoticeKind.LISTED]
    )
    text = serializers.CharField(max_length=4000)


class NoticeIssue(GenericAPIView):
    """Issue 催办 / 督办 (office, inspectors) or 挂牌督办 (office) for a problem."""

    serializer_class = IssueSerializer

    @extend_schema(responses={201: NoticeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        problem = get_object_or_404(visible_problems(request.user), pk=pk)
        incoming = IssueSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            notice = services.issue_notice(problem, by=request.user, **incoming.validated_data)
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=4000)


class NoticeReply(GenericAPIView):
    """The lead unit's written reply."""

    serializer_class = ReplySerializer

    @extend_schema(responses={200: NoticeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        notice = get_object_or_404(Notice.objects.select_related("problem"), pk=pk)
        if not scope_of(request.user).reaches(notice.org_path):
            raise Http404
        incoming = ReplySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            notice = services.reply_notice(
                notice, by=request.user, text=incoming.validated_data["reply"]
            )
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(NoticeSerializer(notice).data)


class CallBackSerializer(serializers.ModelSerializer):
    receipt_code = serializers.CharField(source="suggestion.receipt_code", read_only=True)

    class Meta:
        model = CallBack
        fields = [
            "id",
            "receipt_code",
            "reason",
            "priority",
            "status",
            "attempts",
            "reached",
            "solved",
            "rating",
            "called_at",
        ]
        read_only_fields = fields


class CallBackList(ListAPIView):
    """The call-back queue (no names or numbers here: the caller opens the page to call)."""

    serializer_class = CallBackSerializer

    def get_queryset(self) -> Any:
        campaign = campaign_for(self.request.user, self.kwargs["slug"])
        try:
            rows = evaluation.queue(self.request.user, campaign)
        except PermissionDenied as exc:
            from rest_framework.exceptions import PermissionDenied as ApiDenied

            raise ApiDenied(str(exc)) from None
        if self.request.query_params.get("status"):
            rows = rows.filter(status=self.request.query_params["status"])
        return rows


class CallSerializer(serializers.Serializer):
    reached = serializers.BooleanField()
    solved = serializers.BooleanField(required=False, allow_null=True, default=None)
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True,
                                      default=None)  # fmt: skip
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class CallBackRecord(GenericAPIView):
    """Record the outcome of a call; a rating needs the citizen reached."""

    serializer_class = CallSerializer

    @extend_schema(responses={200: CallBackSerializer})
    def post(self, request: Request, pk: int) -> Response:
        call = get_object_or_404(CallBack.objects.select_related("campaign__org"), pk=pk)
        incoming = CallSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            call = evaluation.record_call(call, by=request.user, **incoming.validated_data)
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(CallBackSerializer(call).data)


class DrawSerializer(serializers.Serializer):
    org = serializers.CharField()
    percent = serializers.IntegerField(required=False, allow_null=True, default=None)
    count = serializers.IntegerField(required=False, allow_null=True, default=None)
    focus_area = serializers.IntegerField(required=False, allow_null=True, default=None)
    seed = serializers.IntegerField(required=False, allow_null=True, default=None)


class SpotCheckDraw(GenericAPIView):
    """Draw a reproducible sample of a unit's closed problems; answers the problem ids."""

    serializer_class = DrawSerializer

    def post(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        incoming = DrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        org = get_object_or_404(Org, code=d["org"])
        area = campaign.focus_areas.filter(pk=d["focus_area"] or 0).first()
        try:
            check = spotchecks.draw(
                campaign, org, by=request.user, percent=d["percent"], count=d["count"],
                focus_area=area, seed=d["seed"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(_check(check), status=status.HTTP_201_CREATED)


def _check(check: SpotCheck) -> dict[str, Any]:
    return {
        "id": check.pk,
        "org": check.org.code,
        "round": check.round,
        "seed": check.seed,
        "population": check.population,
        "items": [
            {"id": i.pk, "problem": i.problem_id, "result": i.result, "reason": i.reason}
            for i in check.items.all()
        ],
    }


class ResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class SpotCheckRecord(GenericAPIView):
    serializer_class = ResultSerializer

    def post(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(SpotCheckItem.objects.select_related("spot_check"), pk=pk)
        if not scope_of(request.user).reaches(item.org_path):
            raise Http404
        incoming = ResultSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            spotchecks.record(item, by=request.user, **incoming.validated_data)
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(_check(item.spot_check))


class Ranking(APIView):
    """比学赶超: the units below ?org= (default the campaign's org), with their components."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        parent = campaign.org
        if request.query_params.get("org"):
            parent = get_object_or_404(Org, code=request.query_params["org"])
        if not parent.path.startswith(campaign.org.path) or not scope_of(request.user).reaches(
            parent.path
        ):
            raise Http404
        kind = request.query_params.get("kind")
        return Response({"org": parent.code, "units": ranking(campaign, parent, kind=kind)})


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    members = serializers.ListField(child=serializers.CharField(), default=list)
    orgs = serializers.ListField(child=serializers.CharField(), default=list)


def _team(team: InspectionTeam) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "members": sorted(team.members.values_list("username", flat=True)),
        "orgs": sorted(team.orgs.values_list("code", flat=True)),
    }


class TeamList(GenericAPIView):
    """Inspection teams (office): GET lists them, POST creates one (members by user name,
    units by code)."""

    serializer_class = TeamSerializer
    pagination_class = None  # a campaign has a few dozen teams: GET answers them all

    @extend_schema(responses={200: TeamSerializer(many=True)})
    def get(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        if not scope_of(request.user).reaches(campaign.org.path, (Role.OFFICE,)):
            return Response({"detail": "只有活动办公室可以管理督导组。"}, status=403)
        return Response([_team(t) for t in InspectionTeam.objects.filter(campaign=campaign)])

    def post(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        incoming = TeamSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        try:
            team = teams.save_team(
                campaign, by=request.user, name=d["name"], usernames=d["members"],
                org_codes=d["orgs"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(_team(team), status=status.HTTP_201_CREATED)


class TeamDetail(GenericAPIView):
    """PUT replaces a team's name, members and units; DELETE dissolves it."""

    serializer_class = TeamSerializer
    queryset = InspectionTeam.objects.none()  # what OPTIONS and the schema describe

    def put(self, request: Request, pk: int) -> Response:
        team = get_object_or_404(InspectionTeam.objects.select_related("campaign__org"), pk=pk)
        incoming = TeamSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        try:
            team = teams.save_team(
                team.campaign, by=request.user, name=d["name"], usernames=d["members"],
                org_codes=d["orgs"], team=team,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(_team(team))

    def delete(self, request: Request, pk: int) -> Response:
        team = get_object_or_404(InspectionTeam.objects.select_related("campaign__org"), pk=pk)
        try:
            teams.delete_team(team, by=request.user)
        except PermissionDenied as exc:
            return _errors(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InboxSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "subject", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class Inbox(ListAPIView):
    """The caller's messages, newest first; ?unread=1 for the unread ones only. POST marks
    them read (all, or the ids given)."""

    serializer_class = InboxSerializer

    def get_queryset(self) -> Any:
        rows = Message.objects.filter(user=self.request.user)
        if self.request.query_params.get("unread"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        ids = request.data.get("ids") if isinstance(request.data, dict) else None
        return Response({"marked": mark_read(request.user, ids)})
