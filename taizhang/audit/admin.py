from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext as _

from taizhang.audit import lockout


class KeptUserAdmin(UserAdmin):
    """Accounts are deactivated (取消“有效”), never deleted: their history, audit entries and
    views of personal data stay whole. The audit log itself is not in the admin at all: only
    the security auditor reads it (/audit/)."""

    actions = ["unlock"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("解除登录锁定"))
    def unlock(self, request: Any, queryset: Any) -> None:
        for user in queryset:
            lockout.unlock(user.get_username(), by=request.user)
        self.message_user(request, _("已解除 %(n)d 个账号的登录锁定。") % {"n": queryset.count()})


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), KeptUserAdmin)
