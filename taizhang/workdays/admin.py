"""Schedules are loaded through the calendar page (which recounts deadlines); here read-only."""

from django.contrib import admin

from taizhang.core.admin import ReadOnlyAdmin
from taizhang.workdays.models import OfficialDay, ScheduleYear


@admin.register(ScheduleYear)
class ScheduleYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "note", "loaded_by", "loaded_at"]


@admin.register(OfficialDay)
class OfficialDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
