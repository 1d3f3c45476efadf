"""JSON API over the same services and scoping as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from taizhang.api.serializers import EventSerializer, ProblemSerializer, TransitionSerializer
from taizhang.campaigns.access import campaign_for
from taizhang.ledger.deadlines import due_soon_cutoff
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.filters import apply_filters, parse_params
from taizhang.ledger.models import Problem
from taizhang.ledger.permissions import visible_problems
from taizhang.ledger.transitions import take_step
from taizhang.orgs.models import Org
from taizhang.reports import history
from taizhang.reports.stats import campaign_stats


class ProblemList(ListAPIView):
    """Problems of a campaign within the caller's scope; same filters as the ledger page."""

    serializer_class = ProblemSerializer

    def get_queryset(self) -> Any:
        campaign = campaign_for(self.request.user, self.kwargs["slug"])
        try:
            query = parse_params(campaign, self.request.query_params)
        except ValidationError as exc:
            raise ApiValidationError({"detail": exc.messages}) from exc
        self.campaign = campaign
        return apply_filters(
            visible_problems(self.request.user, campaign)
            .select_related("campaign", "org", "focus_area")
            .prefetch_related("cooperating_orgs", "parts__org"),
            campaign,
            query,
            timezone.localdate(),
        )

    def get_serializer_context(self) -> dict[str, Any]:
        today = timezone.localdate()
        context = {**super().get_serializer_context(), "today": today}
        if hasattr(self, "campaign"):
            context["cutoff"] = due_soon_cutoff(self.campaign, today)
        return context


class ProblemDetail(RetrieveAPIView):
    serializer_class = ProblemSerializer

    def get_queryset(self) -> Any:
        return visible_problems(self.request.user).select_related("campaign", "org", "focus_area")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class ProblemEvents(ListAPIView):
    serializer_class = EventSerializer

    def get_queryset(self) -> Any:
        problem = get_object_or_404(visible_problems(self.request.user), pk=self.kwargs["pk"])
        return problem.events.select_related("actor").order_by("at", "pk")


class ProblemTransition(GenericAPIView):
    """Move a problem through its lifecycle. A stale `version` answers 409 Conflict."""

    serializer_class = TransitionSerializer

    @extend_schema(responses={200: ProblemSerializer})
    def post(self, request: Request, pk: int) -> Response:
        problem: Problem = get_object_or_404(
            visible_problems(request.user).select_related("campaign", "org"), pk=pk
        )
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            take_step(data["action"], problem, request.user, data)
        except ConflictError as exc:
            return Response(
                {"detail": str(exc), "current_version": exc.current_version},
                status=status.HTTP_409_CONFLICT,
            )
        except PermissionDenied as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        problem.refresh_from_db()
        context = {"request": request, "today": timezone.localdate()}
        return Response(ProblemSerializer(problem, context=context).data)


class CampaignStats(APIView):
    """The campaign's figures (DESIGN §4) within the caller's scope; `?org=CODE` for a subtree;
    `?as_of=YYYY-MM-DD[THH:MM]` for the ledger figures as they stood then, recomputed from the
    history (with `snapshot`: whether that day's frozen figures agree)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, description="unit code"),
            OpenApiParameter("as_of", str, description="YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        org = None
        if request.query_params.get("org"):
            org = get_object_or_404(
                Org, code=request.query_params["org"], path__under=campaign.org.path
            )
        as_of = request.query_params.get("as_of", "")
        if not as_of:
            return Response(campaign_stats(campaign, user=request.user, org=org))
        try:
            at = history.asked(campaign, as_of)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        figures = history.stats_at(campaign, at, org=org, user=request.user)
        if figures["covers"] == "whole":
            unit = Org.objects.get(code=figures["org"])
            figures["snapshot"] = history.against_snapshot(campaign, unit, at)
        return Response(figures)
