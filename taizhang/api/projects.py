"""项目库 for machine clients: the same services, scoping and figures as the pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from taizhang.api.suggestions import _errors
from taizhang.campaigns.access import campaign_for
from taizhang.ledger.errors import ConflictError
from taizhang.orgs.finding import resolve_unit
from taizhang.projects import services
from taizhang.projects.models import Need, Pool, Project, ProjectKind, Stage
from taizhang.reports import projects as figures


class ProjectSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    needs = serializers.ListField(source="need_list", child=serializers.CharField(), read_only=True)
    obstacles = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id", "number", "name", "org", "org_name", "year", "leader", "industry", "kind",
            "pool", "stage", "status", "investment_total", "investment_annual", "done_year",
            "done_total", "last_month", "progress_note", "location", "content", "sign_planned",
            "start_planned", "finish_planned", "signed_on", "started_on", "finished_on",
            "needs", "needs_note", "obstacles", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_obstacles(self, project: Project) -> list[str]:
        return [p.number for p in project.obstacles.all()]


class NewProjectSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    org = serializers.CharField(help_text="unit code or name")
    year = serializers.IntegerField(required=False)
    investment_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    investment_annual = serializers.DecimalField(max_digits=14, decimal_places=2, default=0)
    number = serializers.CharField(required=False, default="", allow_blank=True)
    leader = serializers.CharField(required=False, default="", allow_blank=True)
    industry = serializers.CharField(required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=ProjectKind.choices, default=ProjectKind.INDUSTRY)
    pool = serializers.ChoiceField(choices=Pool.choices, default=Pool.KEY)
    location = serializers.CharField(required=False, default="", allow_blank=True)
    content = serializers.CharField(required=False, default="", allow_blank=True)
    start_planned = serializers.DateField(required=False, allow_null=True, default=None)
    finish_planned = serializers.DateField(required=False, allow_null=True, default=None)
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Need.choices), required=False, default=list
    )
    needs_note = serializers.CharField(required=False, default="", allow_blank=True)


CUTS = [
    OpenApiParameter("org", str), OpenApiParameter("year", int),
    OpenApiParameter("figure", str, enum=list(figures.COUNT_LABELS)),
    OpenApiParameter("pool", str, enum=Pool.values),
    OpenApiParameter("stage", str, enum=Stage.values),
    OpenApiParameter("kind", str, enum=ProjectKind.values), OpenApiParameter("industry", str),
]  # fmt: skip


def _year(request: Request, campaign: Any) -> int:
    written = request.query_params.get("year", "")
    if written and not written.isdigit():
        raise serializers.ValidationError({"year": "应为四位年份"})
    return int(written) if written else figures.projects_year(campaign, timezone.localdate())


class ProjectList(ListAPIView):
    """The projects behind a figure (the same parameters as the project list page); POST
    enters one."""

    serializer_class = ProjectSerializer

    @extend_schema(parameters=CUTS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        campaign = campaign_for(self.request.user, self.kwargs["slug"])
        q = self.request.query_params
        org = None
        if q.get("org"):
            try:
                org = resolve_unit(q["org"], campaign.org)
            except ValidationError as exc:
                raise serializers.ValidationError({"org": exc.messages}) from None
        figure = q.get("figure", "projects_total")
        if figure not in figures.COUNT_LABELS:
            raise serializers.ValidationError({"figure": f"可选:{'、'.join(figures.COUNT_LABELS)}"})
        rows = figures.figure_rows(
            campaign, self.request.user, year=_year(self.request, campaign),
            today=timezone.localdate(), figure=figure, org=org, pool=q.get("pool", ""),
            stage=q.get("stage", ""), kind=q.get("kind", ""), industry=q.get("industry", ""),
        )  # fmt: skip
        return rows.select_related("org").prefetch_related("obstacles").order_by("number")

    @extend_schema(request=NewProjectSerializer, responses={201: ProjectSerializer})
    def post(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        incoming = NewProjectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = dict(incoming.validated_data)
        try:
            d["org"] = resolve_unit(d["org"], campaign.org)
            d["year"] = d.get("year") or timezone.localdate().year
            project = services.create_project(campaign, services.ProjectData(**d), by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


def _visible(request: Request, pk: int) -> Project:
    project = get_object_or_404(
        services.visible_projects(request.user).select_related("campaign", "org"), pk=pk
    )
    campaign_for(request.user, project.campaign.slug)
    return project


class ProjectDetail(GenericAPIView):
    serializer_class = ProjectSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(ProjectSerializer(_visible(request, pk)).data)


class MonthlyReportSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    done = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="万元")
    progress_note = serializers.CharField()
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class ProjectReportCreate(GenericAPIView):
    """The month's report: investment completed in the month (万元) and 形象进度."""

    serializer_class = MonthlyReportSerializer

    @extend_schema(responses={201: ProjectSerializer})
    def post(self, request: Request, pk: int) -> Response:
        project = _visible(request, pk)
        incoming = MonthlyReportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        try:
            services.report_month(
                project, by=request.user, month=dt.date.fromisoformat(d["month"] + "-01"),
                done=d["done"], progress_note=d["progress_note"], version=d["version"],
            )  # fmt: skip
        except ValueError:
            return Response({"detail": ["月份应为 YYYY-MM"]}, status=400)
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            return _errors(exc)
        project.refresh_from_db()
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectFigures(GenericAPIView):
    """The pipeline's figures for a unit's subtree (?org=, ?year=): those `stats` prints under
    `projects`, in the caller's scope."""

    @extend_schema(
        parameters=[OpenApiParameter("org", str), OpenApiParameter("year", int)],
        responses={200: dict},
    )
    def get(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        org = campaign.org
        if request.query_params.get("org"):
            try:
                org = resolve_unit(request.query_params["org"], campaign.org)
            except ValidationError as exc:
                return Response({"detail": exc.messages}, status=400)
        return Response(
            figures.project_figures(campaign, org, user=request.user, year=_year(request, campaign))
        )
