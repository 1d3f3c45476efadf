"""The suggestion queue for machine clients: same services, scoping and masking as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.generics import GenericAPIView, ListCreateAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from taizhang.campaigns.access import campaign_for
from taizhang.intake import permissions, privacy, services
from taizhang.intake.models import Channel, IdentityView, Suggestion
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.models import Kind


class SuggestionSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    problems = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "receipt_code",
            "campaign",
            "channel",
            "title",
            "text",
            "address",
            "focus_area",
            "name",
            "phone",
            "confidential",
            "submitted_at",
            "status",
            "duplicate_of",
            "answer",
            "answered_at",
            "problems",
            "rating",
            "rated_at",
            "votes",
            "version",
        ]
        read_only_fields = fields

    def _unmasked(self, s: Suggestion) -> bool:
        return bool(self.context.get("unmask"))

    def get_name(self, s: Suggestion) -> str:
        return s.name if self._unmasked(s) else privacy.mask_name(s.name)

    def get_phone(self, s: Suggestion) -> str:
        return s.phone if self._unmasked(s) else privacy.mask_phone(s.phone)

    def get_text(self, s: Suggestion) -> str:
        return privacy.mask_numbers_in_text(s.text)


class NewSuggestionSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=4000)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    confidential = serializers.BooleanField(required=False, default=False)
    collected_on = serializers.DateField(required=False, allow_null=True, default=None)
    collected_at_place = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    votes = serializers.IntegerField(min_value=0, required=False, default=0)


class CreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receipt_code = serializers.CharField()
    status = serializers.CharField()
    version = serializers.IntegerField()


class TriageSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=services.TRIAGE_ACTIONS)
    version = serializers.IntegerField(min_value=1)
    text = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)
    duplicate_of = serializers.CharField(required=False, default="", allow_blank=True)
    org_code = serializers.CharField(required=False, default="", allow_blank=True)
    focus_area = serializers.IntegerField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(
        choices=Kind.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="convert: empty takes the dispatch catalogue's kind, else 限期整改",
    )
    cooperating = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=None,
        allow_null=True,
        help_text="convert: co-operating units (codes or names); omitted: the catalogue's",
    )


def _errors(exc: Exception) -> Response:
    if isinstance(exc, ConflictError):
        return Response(
            {"detail": str(exc), "current_version": exc.current_version},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    assert isinstance(exc, ValidationError)
    return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)


class SuggestionList(ListCreateAPIView):
    intake = True  # an intake-only token (a hotline system) may post here
    """The campaign's suggestions (office and hotline operators); POST records one."""

    serializer_class = SuggestionSerializer

    def get_queryset(self) -> Any:
        campaign = campaign_for(self.request.user, self.kwargs["slug"])
        if not permissions.can_record(self.request.user, campaign):
            raise ApiPermissionDenied("只有活动办公室和热线坐席可以查看意见建议。")
        return (
            permissions.visible_suggestions(self.request.user, campaign)
            .select_related("campaign")
            .prefetch_related("problems")
            .order_by("-submitted_at")
        )

    @extend_schema(request=NewSuggestionSerializer, responses={201: CreatedSerializer})
    def post(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        incoming = NewSuggestionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            suggestion = services.submit_suggestion(
                campaign, by=request.user, **incoming.validated_data
            )
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        # A short answer: intake bursts are the hot path; GET the detail for the rest.
        return Response(
            {
                "id": suggestion.pk,
                "receipt_code": suggestion.receipt_code,
                "status": suggestion.status,
                "version": suggestion.version,
            },
            status=status.HTTP_201_CREATED,
        )


class SuggestionDetail(RetrieveAPIView):
    """One suggestion; the citizen's identity only for roles that need it (and logged)."""

    serializer_class = SuggestionSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        suggestion = get_object_or_404(
            Suggestion.objects.select_related("campaign__org"), pk=kwargs["pk"]
        )
        if not permissions.can_record(request.user, suggestion.campaign):
            raise Http404
        unmask = permissions.may_see_identity(request.user, suggestion)
        if unmask and (suggestion.name or suggestion.phone):
            IdentityView.objects.create(suggestion=suggestion, viewer=request.user, purpose="api")
        return Response(SuggestionSerializer(suggestion, context={"unmask": unmask}).data)


class SuggestionTriage(GenericAPIView):
    """Duplicate, not actionable, answer, or convert to a problem. A stale version is 409."""

    serializer_class = TriageSerializer

    @extend_schema(responses={200: SuggestionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        suggestion = get_object_or_404(Suggestion.objects.select_related("campaign__org"), pk=pk)
        if not permissions.can_record(request.user, suggestion.campaign):
            return Response(status=status.HTTP_404_NOT_FOUND)
        incoming = TriageSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        try:
            services.triage(
                suggestion,
                by=request.user,
                version=d["version"],
                action=d["action"],
                text=d["text"],
                duplicate_of=d["duplicate_of"],
                org_code=d["org_code"],
                focus_area_id=d["focus_area"],
                kind=d["kind"],
                cooperating_codes=d["cooperating"],
            )
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            return _errors(exc)
        suggestion.refresh_from_db()
        return Response(SuggestionSerializer(suggestion).data)
