from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin


class KeptUserAdmin(UserAdmin):
    """Accounts are deactivated (取消“有效”), never deleted: their history, audit entries and
    views of personal data stay whole. The audit log itself is not in the admin at all: only
    the security auditor reads it (/audit/)."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), KeptUserAdmin)
