"""Accounts: logins, failures, logouts, passwords, activation and the admin flags, group
membership (the 安全审计员 duty among them). Users are deactivated, never deleted."""

from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.http import HttpRequest
from django.utils.translation import gettext as _

from taizhang.audit.context import request_ip
from taizhang.audit.duties import check_one_duty
from taizhang.audit.lockout import address_locked, count_failure, is_locked
from taizhang.audit.middleware import start_session
from taizhang.audit.models import AuditKind
from taizhang.audit.services import Actor, actor_of, record

WATCHED = ("password", "is_active", "is_staff", "is_superuser")
_OLD = "_audit_account"


def connect() -> None:
    user = get_user_model()
    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    pre_save.connect(_account_before, sender=user, dispatch_uid="audit-account-pre")
    post_save.connect(_account_after, sender=user, dispatch_uid="audit-account-post")
    pre_delete.connect(_never_delete, sender=user, dispatch_uid="audit-account-delete")
    m2m_changed.connect(_groups, sender=user.groups.through, dispatch_uid="audit-groups")
    m2m_changed.connect(_one_duty, sender=user.groups.through, dispatch_uid="audit-one-duty")


def _agent(request: HttpRequest | None) -> str:
    """The browser or program that tried (什么终端登录), as it names itself."""
    return request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    who = actor_of(user, request_ip(request))
    record(AuditKind.LOGIN, _("登录成功"), target=user.get_username(), actor=who,
           detail={"user_agent": _agent(request), "by": _method(request)})  # fmt: skip
    if request is not None and hasattr(request, "session"):
        start_session(request.session, user)


def _method(request: HttpRequest | None) -> str:
    """Which way in (the backend's class: a local password, the directory, a platform)."""
    session = getattr(request, "session", None)
    return str(session.get(BACKEND_SESSION_KEY, "")).rsplit(".", 1)[-1] if session else ""


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    if user is not None:
        reason = getattr(request, "audit_logout_reason", "")
        record(AuditKind.LOGOUT, _("会话超时,自动退出") if reason else _("退出登录"),
               target=user.get_username(), actor=actor_of(user, request_ip(request)))  # fmt: skip


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    if "username" not in credentials:
        return  # a platform's login: identity.matching audits a refusal with its reason
    name = str(credentials.get("username", ""))[:150]
    locked = is_locked(name) or address_locked(request_ip(request) or "")
    text = _("登录失败:账号已锁定") if locked else _("登录失败:用户名或密码不对")
    record(AuditKind.LOGIN_FAILED, text, target=name, actor=Actor(None, "", request_ip(request)),
           detail={"username": name, "locked": locked, "user_agent": _agent(request)})  # fmt: skip
    if not locked:
        count_failure(name, request)


def _account_before(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    fields = kw.get("update_fields")
    if raw or instance.pk is None or (fields is not None and not set(fields) & set(WATCHED)):
        return
    setattr(instance, _OLD, sender._default_manager.filter(pk=instance.pk).values(*WATCHED).first())


def _account_after(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    name = instance.get_username()
    if created:
        record(
            AuditKind.ACCOUNT,
            _("创建账号 %(u)s") % {"u": name},
            target=name,
            detail={"is_staff": instance.is_staff, "is_superuser": instance.is_superuser},
        )
        return  # fmt: skip
    old = getattr(instance, _OLD, None)
    if not old:
        return
    setattr(instance, _OLD, None)
    if old["password"] != instance.password:
        record(AuditKind.PASSWORD, _("修改了 %(u)s 的密码") % {"u": name}, target=name)
    if old["is_active"] != instance.is_active:
        done = _("启用账号 %(u)s") if instance.is_active else _("停用账号 %(u)s")
        record(AuditKind.ACCOUNT, done % {"u": name}, target=name,
               detail={"is_active": [old["is_active"], instance.is_active]})  # fmt: skip
    for flag, label in (("is_staff", _("后台管理")), ("is_superuser", _("超级用户"))):
        if old[flag] != getattr(instance, flag):
            granted = getattr(instance, flag)
            kind = AuditKind.ROLE_GRANT if granted else AuditKind.ROLE_WITHDRAW
            verb = _("授予") if granted else _("撤销")
            record(kind, f"{verb} {name} {label}", target=name, detail={flag: granted})


def _never_delete(sender: Any, instance: Any, **kw: Any) -> None:
    raise PermissionDenied(
        _("账号只能停用,不能删除:其操作记录、审计日志和个人信息查看记录须完整保留。")
    )


def _groups(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, reverse: bool, **kw: Any
) -> None:
    """A user added to or removed from a group (from either side of the relation)."""
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    if reverse:  # group.user_set.add(...)
        pairs = [(u, [instance.name]) for u in get_user_model()._default_manager.filter(
            pk__in=pk_set)]  # fmt: skip
    else:
        pairs = [
            (instance, sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)))
        ]
    granted = action == "post_add"
    for user, names in pairs:
        name = user.get_username()
        record(AuditKind.ROLE_GRANT if granted else AuditKind.ROLE_WITHDRAW,
               f"{_('授予') if granted else _('撤销')} {name} {'、'.join(names)}",
               target=name, detail={"groups": names})  # fmt: skip


def _one_duty(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, reverse: bool, **kw: Any
) -> None:
    """三员分立 by any path: a second duty group for one account is refused."""
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(users)
        for user in get_user_model()._default_manager.filter(pk__in=pk_set):
            check_one_duty(user, [instance.name])
    else:
        check_one_duty(
            instance, list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        )
