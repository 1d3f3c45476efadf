from django.contrib import admin

from taizhang.campaigns.models import Campaign, FocusArea, Phase


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "org", "starts_on", "ends_on", "previous"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["org", "previous"]
    inlines = [PhaseInline, FocusAreaInline]
