"""三员分立: three duties with only their permissions, never two on one account."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from taizhang.audit.access import AUDITOR_GROUP
from taizhang.audit.duties import SECURITY_ADMIN_GROUP, SYSTEM_ADMIN_GROUP


def _holder(name: str, group: str):
    user = get_user_model().objects.create_user(name, password="Pass-word-2026", is_staff=True)
    Group.objects.get(name=group).user_set.add(user)
    client = Client()
    client.force_login(user)
    return user, client


def test_each_duty_does_its_own_work_only(world):
    out = StringIO()
    call_command("duties", stdout=out)
    assert "系统管理员" in out.getvalue() and "安全审计员" in out.getvalue()
    _s, system = _holder("sysadmin", SYSTEM_ADMIN_GROUP)
    _a, security = _holder("secadmin", SECURITY_ADMIN_GROUP)
    _r, auditor = _holder("auditor2", AUDITOR_GROUP)
    users, roles = reverse("admin:auth_user_add"), reverse("admin:orgs_roleassignment_add")
    assert system.get(users).status_code == 200 and system.get(roles).status_code == 403
    assert security.get(roles).status_code == 200 and security.get(users).status_code == 403
    assert auditor.get(reverse("audit_log")).status_code == 200
    assert auditor.get(users).status_code == 403 and auditor.get(roles).status_code == 403
    for client in (system, security):
        assert client.get(reverse("audit_log")).status_code == 403


def test_no_account_holds_two_duties_by_any_path(world):
    call_command("duties", stdout=StringIO())
    user, _client = _holder("sysadmin", SYSTEM_ADMIN_GROUP)
    auditors, security = (Group.objects.get(name=n) for n in (AUDITOR_GROUP, SECURITY_ADMIN_GROUP))
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        user.groups.add(auditors)
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        security.user_set.add(user)
    admin = Client()
    world.office.is_staff = world.office.is_superuser = True
    world.office.save()
    admin.force_login(world.office)
    both = [g.pk for g in Group.objects.filter(name__in=[SYSTEM_ADMIN_GROUP, AUDITOR_GROUP])]
    page = admin.post(reverse("admin:auth_user_change", args=[user.pk]), {
        "username": user.username, "groups": both, "is_active": "on", "is_staff": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "initial-date_joined_0":
        "2026-01-01", "initial-date_joined_1": "00:00:00"})  # fmt: skip
    assert page.status_code == 200 and "三员分立" in page.content.decode()
    assert list(user.groups.values_list("name", flat=True)) == [SYSTEM_ADMIN_GROUP]
