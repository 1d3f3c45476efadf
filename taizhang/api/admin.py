from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token, TokenProxy

from taizhang.api import tokens
from taizhang.api.models import ApiToken

# Tokens are made by their users on /account/tokens/ and stored hashed; DRF's own table of keys
# in the clear is no longer used.
for model in (Token, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's tokens, to see and revoke (never to read a key: none is stored)."""

    list_display = ("name", "user", "prefix", "scope", "created_at", "expires_at",
                    "last_used_at", "revoked_at")  # fmt: skip
    list_filter = ("scope",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = list_display
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset.select_related("user"):
            tokens.revoke(token, by=request.user)
