from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from taizhang.orgs import services
from taizhang.orgs.models import Org, OrgAlias, RoleAssignment


class AliasInline(admin.TabularInline):
    model = OrgAlias
    extra = 1


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "depth"]
    list_filter = ["kind", "depth"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    inlines = [AliasInline, RoleInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Org | None = None) -> list[str]:
        # A unit's code is its identity in paths and imports: fixed once created.
        return ["path", "depth", "code"] if obj else ["path", "depth"]

    def save_model(self, request: HttpRequest, obj: Org, form: Any, change: bool) -> None:
        # Paths are derived by the services: a new unit or a move recomputes the subtree.
        if not change:
            created = services.create_org(
                code=obj.code, name=obj.name, kind=obj.kind, parent=obj.parent
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        previous = Org.objects.get(pk=obj.pk)
        Org.objects.filter(pk=obj.pk).update(name=obj.name, kind=obj.kind)
        if obj.parent_id != previous.parent_id and obj.parent is not None:
            services.move_org(previous, obj.parent)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "org", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "org__name", "org__code"]
    autocomplete_fields = ["user", "org"]
