from typing import Any

from rest_framework import serializers

from taizhang.ledger.deadlines import deadline_state
from taizhang.ledger.models import ContactWay, DeclineReason, Problem, ProblemEvent
from taizhang.ledger.transitions import STEPS


class ProblemSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    focus_area = serializers.CharField(source="focus_area.name", read_only=True)
    deadline_state = serializers.SerializerMethodField()
    cooperating = serializers.SlugRelatedField(
        source="cooperating_orgs", slug_field="code", many=True, read_only=True
    )
    parts = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = [
            "id",
            "number",
            "campaign",
            "title",
            "description",
            "source",
            "focus_area",
            "org",
            "org_name",
            "kind",
            "status",
            "deadline",
            "deadline_provisional",
            "deadline_state",
            "progress",
            "responsible_leader",
            "responsible_person",
            "urgent",
            "cooperating",
            "parts",
            "sign_by",
            "declining",
            "created_at",
            "applied_at",
            "closed_at",
            "closed_on_time",
            "version",
        ]
        read_only_fields = fields

    def get_parts(self, problem: Problem) -> list[dict[str, Any]]:
        return [
            {"org": p.org.code, "state": p.state, "deadline": p.deadline, "progress": p.progress,
             "on_time": p.on_time}
            for p in problem.parts.all()  # prefetched with their units by the views
        ]  # fmt: skip

    def get_deadline_state(self, problem: Problem) -> str:

        return deadline_state(problem, self.context["today"], self.context.get("cutoff"))


class EventSerializer(serializers.ModelSerializer):
    # None for steps no person took (a citizen's rating reopening a problem, a recount).
    actor = serializers.CharField(
        source="actor.username", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = ProblemEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "reason"]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(STEPS))
    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    org_code = serializers.CharField(
        required=False,
        max_length=32,
        help_text="assign, forward: the unit; review_decline: the unit to reassign to",
    )
    deadline = serializers.DateField(required=False, help_text="assign, review_decline: a deadline")
    category = serializers.ChoiceField(
        choices=DeclineReason.choices, required=False, help_text="decline: why (退单原因)"
    )
    units = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="cooperate: the co-operating units (codes or names), the whole list",
    )
    part_org = serializers.CharField(
        required=False, max_length=200, help_text="part_*: the co-operating unit whose part"
    )
    percent = serializers.IntegerField(
        required=False, min_value=0, max_value=100, help_text="part_report: progress"
    )
    accept = serializers.BooleanField(
        required=False, help_text="review_decline: accept the decline (true) or reject it"
    )
    into_number = serializers.CharField(required=False, max_length=40, help_text="merge: target")
    way = serializers.ChoiceField(
        choices=ContactWay.choices,
        required=False,
        help_text="contact: how the citizen was reached (联系群众); `reason` says what was said",
    )
