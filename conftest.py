"""Shared fixtures: a small org tree with a user for every role, built through the services."""

import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from taizhang.campaigns.services import create_campaign
from taizhang.orgs.models import OrgKind, Role
from taizhang.orgs.services import assign_role, create_org
from taizhang.testing import chromium_page
from taizhang.workdays import calendar

PHONE_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    from taizhang.api.authentication import forget_tokens
    from taizhang.campaigns.access import forget_campaigns
    from taizhang.triage.services import forget_cached

    calendar.invalidate()
    forget_cached()
    forget_campaigns()
    forget_tokens()
    cache.clear()  # keys hold primary keys, which a rolled-back test database hands out again
    yield
    calendar.invalidate()
    forget_cached()
    forget_campaigns()
    forget_tokens()
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """The audit log refuses DELETE and TRUNCATE in the database itself; emptying the test
    database between transactional tests lifts the triggers for that moment only."""
    from django.core.management.commands import flush
    from django.db import connections

    from taizhang.audit import triggers

    original = flush.Command.handle

    def handle(self, *args, **options):
        connection = connections[options.get("database") or "default"]
        triggers.remove(connection)
        try:
            return original(self, *args, **options)
        finally:
            triggers.install(connection)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    # Real hashing costs a third of a second per user; tests make a dozen users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> SimpleNamespace:
    User = get_user_model()
    w = SimpleNamespace()
    w.city = create_org(code="141000", name="临汾市", kind=OrgKind.CITY)
    w.county_a = create_org(code="141002", name="尧都区", kind=OrgKind.COUNTY, parent=w.city)
    w.dept_a1 = create_org(
        code="141002801", name="尧都区发改局", kind=OrgKind.DEPARTMENT, parent=w.county_a
    )
    w.town_a2 = create_org(
        code="141002101", name="尧都区大阳镇", kind=OrgKind.TOWNSHIP, parent=w.county_a
    )
    w.branch_a2 = create_org(
        code="141002101201", name="东关村党支部", kind=OrgKind.BRANCH, parent=w.town_a2
    )
    w.county_b = create_org(code="141081", name="侯马市", kind=OrgKind.COUNTY, parent=w.city)
    w.dept_b1 = create_org(
        code="141081801", name="侯马市教育局", kind=OrgKind.DEPARTMENT, parent=w.county_b
    )
    grants = {
        "office": (w.city, Role.OFFICE),
        "city_leader": (w.city, Role.LEADER),
        "leader_a": (w.county_a, Role.LEADER),
        "admin_a": (w.county_a, Role.ADMIN),
        "inspector_a": (w.county_a, Role.INSPECTOR),
        "handler_a1": (w.dept_a1, Role.HANDLER),
        "handler_a2": (w.town_a2, Role.HANDLER),
        "leader_b": (w.county_b, Role.LEADER),
        "handler_b1": (w.dept_b1, Role.HANDLER),
        "operator": (w.city, Role.OPERATOR),
    }
    for username, (org, role) in grants.items():
        user = User.objects.create_user(username=username, password="pw-" + username)
        assign_role(user, org, role)
        setattr(w, username, user)
    w.nobody = User.objects.create_user(username="nobody", password="pw-nobody")
    today = dt.date.today()
    w.campaign = create_campaign(
        slug="test-2026",
        name="测试活动",
        org=w.city,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
        focus_areas=["优化营商环境", "破解民生难题"],
        rules={"second_factor_roles": []},  # the tests of the second factor turn it on
    )
    w.area, w.area2 = list(w.campaign.focus_areas.all())
    return w


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # The live server's threads must not keep connections open past the test run.
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    connections["default"].settings_dict["CONN_MAX_AGE"] = 0


@contextmanager
def _playwright_page(**options):
    """Playwright's sync API runs an event loop in this thread, and while it runs Django keeps
    this thread's database connections apart from those it had before; each set is closed
    before the switch, so that no session outlives the test (browser tests run with
    `django_db(transaction=True)`, so nothing uncommitted is lost)."""
    from django.db import connections

    connections.close_all()
    with chromium_page(**options) as page:
        try:
            yield page
        finally:
            connections.close_all()


@pytest.fixture
def browser_page(monkeypatch):
    # The ORM calls made while Playwright's loop runs are safe: they are in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with _playwright_page() as page:
        yield page


@pytest.fixture
def phone_page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with _playwright_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True) as page:
        yield page
