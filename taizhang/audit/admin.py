from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taizhang.audit import lockout
from taizhang.audit.duties import DUTIES


class OneDutyUserChangeForm(UserChangeForm):
    def clean_groups(self) -> Any:
        groups = self.cleaned_data["groups"]
        duties = [g.name for g in groups if g.name in DUTIES]
        if len(duties) > 1:
            raise ValidationError(
                _("三员分立:每个账号只担任一种职责,不能同时是“%(d)s”。") % {"d": "、".join(duties)}
            )
        return groups


class KeptUserAdmin(UserAdmin):
    """Accounts are deactivated (取消“有效”), never deleted: their history, audit entries and
    views of personal data stay whole. The audit log itself is not in the admin at all: only
    the security auditor reads it (/audit/)."""

    form = OneDutyUserChangeForm
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
