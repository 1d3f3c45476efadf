"""The directory (LDAP / Active Directory) as the source of who works where: `taizhang
directory sync` reads every person the settings select and brings the accounts in line —
creates those who are new, updates names and e-mail, places each in the unit and role their
entry names (roles held `via="directory"`, never touching roles given by hand), deactivates
those who left or whose entry is disabled (never deletes them) and reactivates those who come
back. A dry run does exactly the same work in a transaction it then rolls back, so what it
reports is what a real run would do."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ldap
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ldap.controls import SimplePagedResultsControl

from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.identity import matching
from taizhang.identity.config import ldap_on
from taizhang.identity.models import ExternalAccount, IdNumber, Platform
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org, Role, RoleAssignment

VIA = "directory"
AD_ACCOUNT_DISABLED = 0x2
PAGE_SIZE = 500


class DirectoryError(Exception):
    """The directory could not be read, or what it says would do harm; nothing was changed."""


@dataclass(frozen=True)
class Entry:
    dn: str
    username: str
    name: str = ""
    email: str = ""
    unit: str = ""
    role: str = ""
    id_number: str = ""
    enabled: bool = True


@dataclass
class Report:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seen: int = 0

    def changes(self) -> int:
        return sum(len(x) for x in (self.created, self.updated, self.placed, self.deactivated,
                                    self.reactivated))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run, "seen": self.seen, "created": self.created,
            "updated": self.updated, "placed": self.placed, "deactivated": self.deactivated,
            "reactivated": self.reactivated, "problems": self.problems,
        }  # fmt: skip


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _first(attrs: Mapping[str, Sequence[Any]], name: str) -> str:
    if not name:
        return ""
    wanted = name.lower()
    for key, values in attrs.items():
        if key.lower() == wanted and values:
            return _text(values[0]).strip()
    return ""


def _unit_value(dn: str, attrs: Mapping[str, Sequence[Any]]) -> str:
    """`LDAP_UNIT_ATTRIBUTE` names an attribute, or `dn:ou` for the entry's nearest OU (Active
    Directory keeps people in OUs named after their department)."""
    spec = settings.LDAP_UNIT_ATTRIBUTE
    if spec.lower().startswith("dn:"):
        kind = spec[3:].lower()
        for rdn in ldap.dn.str2dn(dn):
            for attr, value, _flags in rdn:
                if attr.lower() == kind:
                    return str(value).strip()
        return ""
    return _first(attrs, spec)


def _role(value: str) -> str:
    if not value:
        return settings.LDAP_DEFAULT_ROLE
    mapped = settings.LDAP_ROLES.get(value, value)
    return mapped if mapped in Role.values else ""


def entry_of(dn: str, attrs: Mapping[str, Sequence[Any]]) -> Entry:
    """A directory entry in taizhang's terms, by the attribute mapping in the settings."""
    control = _first(attrs, "userAccountControl")
    disabled = control.isdigit() and bool(int(control) & AD_ACCOUNT_DISABLED)
    role_value = _first(attrs, settings.LDAP_ROLE_ATTRIBUTE)
    return Entry(
        dn=dn, username=_first(attrs, settings.LDAP_USERNAME_ATTRIBUTE),
        name=_first(attrs, settings.LDAP_NAME_ATTRIBUTE),
        email=_first(attrs, settings.LDAP_EMAIL_ATTRIBUTE), unit=_unit_value(dn, attrs),
        role=_role(role_value) if role_value or settings.LDAP_DEFAULT_ROLE else "",
        id_number=_first(attrs, settings.LDAP_ID_NUMBER_ATTRIBUTE), enabled=not disabled,
    )  # fmt: skip


def connect() -> Any:
    """A connection bound as the service account the settings name."""
    conn = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    if settings.AUTH_LDAP_START_TLS:
        conn.start_tls_s()
    conn.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
    return conn


def read_directory() -> list[Entry]:
    """Everyone `LDAP_PEOPLE_FILTER` selects under `LDAP_USER_BASE`, page by page (Active
    Directory answers at most 1 000 entries a search)."""
    try:
        conn = connect()
        entries: list[Entry] = []
        paging = SimplePagedResultsControl(True, size=PAGE_SIZE, cookie="")
        while True:
            msgid = conn.search_ext(
                settings.LDAP_USER_BASE, ldap.SCOPE_SUBTREE, settings.LDAP_PEOPLE_FILTER,
                serverctrls=[paging],
            )  # fmt: skip
            _type, results, _id, controls = conn.result3(msgid)
            entries += [entry_of(dn, attrs) for dn, attrs in results if dn]
            paged = SimplePagedResultsControl.controlType
            cookie = next((c.cookie for c in controls if c.controlType == paged), b"")
            if not cookie:
                break
            paging.cookie = cookie
        conn.unbind_s()
    except ldap.SIZELIMIT_EXCEEDED as error:
        # A partial list would look like mass departures: refuse it outright.
        raise DirectoryError(_(
            "目录只允许服务账号读取部分人员(size limit),未做任何更改:请目录管理员为 %(dn)s "
            "取消数量限制(OpenLDAP 中为 limits dn.exact=%(dn)s size=unlimited)。"
        ) % {"dn": settings.AUTH_LDAP_BIND_DN}) from error  # fmt: skip
    except ldap.LDAPError as error:
        raise DirectoryError(_("读取目录失败:%(e)s") % {"e": _describe(error)}) from error
    return entries


def _describe(error: Exception) -> str:
    info = error.args[0] if error.args else {}
    if isinstance(info, dict):
        return str(info.get("desc", "")) + (f"({info['info']})" if info.get("info") else "")
    return str(error)


def _roots() -> list[Org]:
    code = settings.LDAP_ROOT_UNIT
    if code:
        return list(Org.objects.filter(code=code))
    return list(Org.objects.filter(parent=None))


def unit_for(value: str, roots: Iterable[Org]) -> Org:
    """The unit an entry's value names: its code, or its name as the problem import finds
    names (full, short form, alias) under the root unit."""
    by_code = Org.objects.filter(code=value).first()
    if by_code is not None:
        return by_code
    reasons = []
    for root in roots:
        try:
            return resolve_unit(value, root)
        except ValidationError as error:
            reasons.append(" ".join(error.messages))
    raise ValidationError(reasons[0] if reasons else _("找不到单位“%(w)s”。") % {"w": value})


class _Run:
    """One pass over the entries. What it compares against is read once at the start (links,
    the directory's roles, ID-number digests), so an entry that changed nothing costs no query."""

    def __init__(self, report: Report, now: dt.datetime, only: Any = None) -> None:
        """`only`: one user (a login), instead of everyone."""
        self.report, self.now, self.roots = report, now, _roots()
        self.User = get_user_model()
        links = ExternalAccount.objects.filter(platform=Platform.LDAP).select_related("user")
        held = RoleAssignment.objects.filter(via=VIA).select_related("org")
        digests = IdNumber.objects.all()
        if only is not None:
            links, held = links.filter(user=only), held.filter(user=only)
            digests = digests.filter(user=only)
        self.links = {link.subject: link for link in links}
        self.held: dict[int, dict[tuple[int, str], RoleAssignment]] = defaultdict(dict)
        for assignment in held:
            self.held[assignment.user_id][(assignment.org_id, assignment.role)] = assignment
        self.digests = dict(digests.values_list("user_id", "digest"))
        self.units: dict[str, Org | ValidationError] = {}
        self.seen: list[int] = []

    def account(self, entry: Entry) -> Any:
        link = self.links.get(entry.dn)
        if link is not None:
            return link.user
        return self.User.objects.filter(username__iexact=entry.username).first()

    def take(self, entry: Entry) -> None:
        who = f"{entry.username}({entry.name})" if entry.name else entry.username
        if not entry.username:
            self.report.problems.append(_("%(dn)s:没有用户名属性,跳过") % {"dn": entry.dn})
            return
        user = self.account(entry)
        if not entry.enabled:
            if user is not None and user.is_active:
                self.leave(user, _("%(who)s:目录中已停用") % {"who": who})
            return
        if user is None:
            user = self.User(username=entry.username, first_name=entry.name[:150],
                             email=entry.email)  # fmt: skip
            user.set_unusable_password()
            user.save()
            self.report.created.append(who)
        else:
            self.refresh(user, entry, who)
        link = self.links.get(entry.dn)
        if link is None:
            link, _made = ExternalAccount.objects.get_or_create(
                platform=Platform.LDAP, subject=entry.dn, defaults={"user": user}
            )  # fmt: skip
            self.links[entry.dn] = link
        if not user.is_active and link.left_at is not None:
            user.is_active = True
            user.save(update_fields=["is_active"])
            self.report.reactivated.append(who)
        if link.user_id != user.pk or link.left_at is not None:
            ExternalAccount.objects.filter(pk=link.pk).update(user=user, left_at=None)
            link.user, link.left_at = user, None
        self.seen.append(link.pk)
        self.id_number(user, entry, who)
        self.place(user, entry, who)

    def mark_seen(self) -> None:
        for start in range(0, len(self.seen), 5000):
            chunk = self.seen[start : start + 5000]
            ExternalAccount.objects.filter(pk__in=chunk).update(seen_at=self.now)

    def refresh(self, user: Any, entry: Entry, who: str) -> None:
        changed = [
            name for name, value in (("first_name", entry.name[:150]), ("email", entry.email))
            if value and getattr(user, name) != value
        ]  # fmt: skip
        for name in changed:
            setattr(user, name, entry.name[:150] if name == "first_name" else entry.email)
        if changed:
            user.save(update_fields=changed)
            fields = "、".join(changed)
            self.report.updated.append(_("%(who)s:更新 %(f)s") % {"who": who, "f": fields})

    def id_number(self, user: Any, entry: Entry, who: str) -> None:
        if not entry.id_number:
            return
        try:
            digest = matching.number_digest(entry.id_number)
        except ValueError as error:
            self.report.problems.append(f"{who}:{error}")
            return
        if self.digests.get(user.pk) != digest:
            IdNumber.objects.update_or_create(user=user, defaults={"digest": digest})
            self.digests[user.pk] = digest

    def place(self, user: Any, entry: Entry, who: str) -> None:
        held = self.held.get(user.pk, {})
        if not entry.unit or not entry.role:
            if entry.unit and not entry.role:
                self.report.problems.append(_("%(who)s:角色无法对应,未分配") % {"who": who})
            return
        if entry.unit not in self.units:
            try:
                self.units[entry.unit] = unit_for(entry.unit, self.roots)
            except ValidationError as error:
                self.units[entry.unit] = error
        org = self.units[entry.unit]
        if isinstance(org, ValidationError):
            self.report.problems.append(f"{who}:{' '.join(org.messages)}")
            return  # a unit the directory misspells does not take away the one held
        role_name = Role(entry.role).label
        if (org.pk, entry.role) not in held:
            RoleAssignment.objects.create(user=user, org=org, role=entry.role, via=VIA)
            self.report.placed.append(_("%(who)s → %(org)s %(role)s") % {
                "who": who, "org": org.name, "role": role_name})  # fmt: skip
        for key, assignment in held.items():
            if key != (org.pk, entry.role):
                assignment.delete()
                self.report.placed.append(_("%(who)s:不再是 %(org)s %(role)s") % {
                    "who": who, "org": assignment.org.name,
                    "role": assignment.get_role_display()})  # fmt: skip

    def leave(self, user: Any, text: str) -> None:
        user.is_active = False
        user.save(update_fields=["is_active"])
        ExternalAccount.objects.filter(user=user, platform=Platform.LDAP).update(left_at=self.now)
        self.report.deactivated.append(text)

    def leavers(self, seen: set[str]) -> None:
        """Everyone linked to the directory none of whose entries is still there."""
        subjects: dict[int, set[str]] = defaultdict(set)
        links = ExternalAccount.objects.filter(platform=Platform.LDAP)
        for subject, user_id in links.values_list("subject", "user_id").iterator(chunk_size=5000):
            subjects[user_id].add(subject)
        gone = sorted(user_id for user_id, held in subjects.items() if not held & seen)
        for start in range(0, len(gone), 500):
            users = self.User.objects.filter(pk__in=gone[start : start + 500], is_active=True)
            for user in users.order_by("username"):
                self.leave(user, _("%(u)s:已不在目录中") % {"u": user.get_username()})


def sync(entries: list[Entry], *, dry_run: bool = False, force: bool = False,
         now: dt.datetime | None = None) -> Report:  # fmt: skip
    """Brings the accounts in line with the directory's entries, in one transaction."""
    report = Report(dry_run=dry_run, seen=len(entries))
    if not entries:
        raise DirectoryError(
            _("目录中没有找到任何人员(请检查 LDAP_USER_BASE 与过滤条件),未做任何更改。")
        )
    with transaction.atomic():
        run = _Run(report, now or timezone.now())
        for entry in entries:
            run.take(entry)
        run.leavers({e.dn for e in entries if e.enabled})
        run.mark_seen()
        linked = ExternalAccount.objects.filter(platform=Platform.LDAP).count()
        limit = max(10, linked * settings.LDAP_MAX_LEAVERS_PERCENT // 100)
        if len(report.deactivated) > limit and not force:
            transaction.set_rollback(True)
            raise DirectoryError(_(
                "本次同步将停用 %(n)d 个账号,超过上限 %(limit)d,可能是目录配置有误:未做任何更改。"
                "确认无误请加 --force 再运行。") % {"n": len(report.deactivated), "limit": limit}
            )  # fmt: skip
        record(AuditKind.ACCOUNT, _summary(report), target="directory",
               detail={k: len(v) if isinstance(v, list) else v
                       for k, v in report.as_dict().items()})  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    return report


def _summary(report: Report) -> str:
    return _(
        "目录同步%(dry)s:读到 %(seen)d 人,新建 %(c)d,更新 %(u)d,调整角色 %(p)d,停用 %(d)d,"
        "恢复 %(r)d,问题 %(x)d"
    ) % {
        "dry": _("(试运行)") if report.dry_run else "", "seen": report.seen,
        "c": len(report.created), "u": len(report.updated), "p": len(report.placed),
        "d": len(report.deactivated), "r": len(report.reactivated), "x": len(report.problems),
    }  # fmt: skip


def take_login(user: Any, dn: str, attrs: Mapping[str, Sequence[Any]]) -> None:
    """A directory login before the night's sync: the same linking and placing for this one
    person, so they land in their unit at once."""
    with transaction.atomic():
        run = _Run(Report(dry_run=False), timezone.now(), only=user)
        run.take(entry_of(dn, attrs))
        run.mark_seen()


def sync_at_night(*, now: dt.datetime, **_signal: Any) -> int:
    """The nightly run's part when a directory is configured: the changes it made."""
    if not ldap_on() or not settings.LDAP_SYNC_NIGHTLY:
        return 0
    try:
        return sync(read_directory(), now=now).changes()
    except DirectoryError as error:
        record(AuditKind.ACCOUNT, str(error), target="directory", detail={"failed": True})
        return 0
