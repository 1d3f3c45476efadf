"""The ledger in the admin is read-only: every change goes through the services and the pages."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from taizhang.core.admin import ReadOnlyAdmin
from taizhang.ledger.models import Problem, ProblemEvent


class EventInline(admin.TabularInline):
    model = ProblemEvent
    fields = readonly_fields = ("at", "actor", "action", "from_status", "to_status", "reason")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "org", "focus_area", "kind", "status", "deadline"]
    list_filter = ["campaign", "status", "kind", "source"]
    search_fields = ["number", "title"]
    list_select_related = ["org", "focus_area"]
    show_full_result_count = False
    inlines = [EventInline]
