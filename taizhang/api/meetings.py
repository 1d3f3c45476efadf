"""Meetings and members for machine clients: the same services, scoping and masking."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from taizhang.api.suggestions import _errors
from taizhang.campaigns.access import campaign_for
from taizhang.intake.privacy import mask_name
from taizhang.meetings import services
from taizhang.meetings.models import Meeting, Member, Presence
from taizhang.orgs.models import Org
from taizhang.orgs.scoping import path_filter, scope_of


class AttendanceSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    presence = serializers.ChoiceField(choices=Presence.choices)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "14:30"})
class ClockField(serializers.TimeField):
    """A time of day as offices write it (14:30), without the time zone that OpenAPI's "time"
    format demands and a meeting's clock time does not have."""


class MeetingSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    kind = serializers.CharField(source="kind.code", read_only=True)
    starts_at = ClockField(read_only=True)
    ends_at = ClockField(read_only=True)
    present = serializers.SerializerMethodField()
    absent = serializers.SerializerMethodField()
    excused = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id", "org", "kind", "held_on", "starts_at", "ends_at", "place", "topic", "host",
            "status", "void_reason", "present", "absent", "excused",
        ]  # fmt: skip
        read_only_fields = fields

    def _count(self, m: Meeting, value: str) -> int:
        return sum(1 for a in m.attendance.all() if a.presence == value)

    def get_present(self, m: Meeting) -> int:
        return self._count(m, Presence.PRESENT)

    def get_absent(self, m: Meeting) -> int:
        return self._count(m, Presence.ABSENT)

    def get_excused(self, m: Meeting) -> int:
        return self._count(m, Presence.EXCUSED)


class NewMeetingSerializer(serializers.Serializer):
    org = serializers.CharField()
    kind = serializers.CharField(help_text="the kind's code, e.g. theme_day")
    held_on = serializers.DateField()
    starts_at = ClockField()
    ends_at = ClockField()
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(required=False, default="", allow_blank=True)
    host = serializers.CharField(required=False, default="", allow_blank=True)
    minutes = serializers.CharField(required=False, default="", allow_blank=True)
    attendance = AttendanceSerializer(many=True, required=False, default=list)
    guests = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class MeetingList(ListAPIView):
    """Meetings of the units the caller reaches; ?org=CODE, ?kind=CODE. POST records one."""

    serializer_class = MeetingSerializer

    def get_queryset(self) -> Any:
        campaign = campaign_for(self.request.user, self.kwargs["slug"])
        rows = (
            Meeting.objects.filter(campaign=campaign)
            .filter(path_filter("org_path", scope_of(self.request.user).paths()))
            .select_related("org", "kind")
            .prefetch_related("attendance")
        )
        if self.request.query_params.get("org"):
            org = get_object_or_404(Org, code=self.request.query_params["org"])
            rows = rows.filter(org_path__under=org.path)
        if self.request.query_params.get("kind"):
            rows = rows.filter(kind__code=self.request.query_params["kind"])
        return rows

    @extend_schema(request=NewMeetingSerializer, responses={201: MeetingSerializer})
    def post(self, request: Request, slug: str) -> Response:
        campaign = campaign_for(request.user, slug)
        incoming = NewMeetingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        org = get_object_or_404(Org, code=d["org"])
        kind = next((k for k in services.kinds_of(campaign) if k.code == d["kind"]), None)
        if kind is None:
            return Response({"detail": [f"没有会议类型 {d['kind']}"]}, status=400)
        try:
            meeting = services.record_meeting(
                campaign, org, by=request.user, kind=kind, held_on=d["held_on"],
                starts_at=d["starts_at"], ends_at=d["ends_at"], topic=d["topic"],
                place=d["place"], host=d["host"], minutes=d["minutes"],
                presence={a["member"]: a["presence"] for a in d["attendance"]},
                guests=d["guests"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField()


class MeetingVoid(GenericAPIView):
    """Void a meeting's record with a reason (it is never deleted)."""

    serializer_class = VoidSerializer

    @extend_schema(responses={200: MeetingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        meeting = get_object_or_404(Meeting, pk=pk)
        if not scope_of(request.user).reaches(meeting.org_path):
            raise Http404
        incoming = VoidSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            meeting = services.void_meeting(
                meeting, by=request.user, reason=incoming.validated_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(MeetingSerializer(meeting).data)


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    org = serializers.CharField()
    name = serializers.CharField(max_length=60)
    role = serializers.CharField(required=False, default="", allow_blank=True)
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)


def _member(m: Member, names: bool) -> dict[str, Any]:
    return {
        "id": m.pk,
        "org": m.org.code,
        "name": m.name if names else mask_name(m.name),
        "role": m.role,
        "joined_on": m.joined_on.isoformat() if isinstance(m.joined_on, dt.date) else None,
    }


class MemberList(GenericAPIView):
    """?org=CODE: the members of a unit and those below (names masked unless the caller is an
    admin of the unit or the office). POST adds one."""

    serializer_class = MemberSerializer

    def get(self, request: Request, slug: str) -> Response:
        campaign_for(request.user, slug)
        org = get_object_or_404(Org, code=request.query_params.get("org", ""))
        if not scope_of(request.user).reaches(org.path):
            raise Http404
        names = services.can_see_names(request.user, org)
        rows = Member.objects.filter(org_path__under=org.path).select_related("org")[:5000]
        return Response([_member(m, names) for m in rows])

    @extend_schema(responses={201: MemberSerializer})
    def post(self, request: Request, slug: str) -> Response:
        campaign_for(request.user, slug)
        incoming = MemberSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        org = get_object_or_404(Org, code=d["org"])
        try:
            member = services.add_member(
                org, by=request.user, name=d["name"], role=d["role"], joined_on=d["joined_on"]
            )
        except (ValidationError, PermissionDenied) as exc:
            return _errors(exc)
        return Response(_member(member, True), status=status.HTTP_201_CREATED)
