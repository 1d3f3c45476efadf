"""Single sign-on against real platforms started by the tests: an OpenID Connect provider
(django-oauth-toolkit) and a CAS server (django-cas-server), each its own process reached over
HTTP. The person logs in at the platform as a browser would; taizhang checks what comes back
with the platform and finds the account by user name or by ID number."""

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from taizhang.audit.models import AuditEntry, AuditKind
from taizhang.campaigns import second_factor
from taizhang.identity import matching
from taizhang.identity.models import ExternalAccount, IdNumber, Platform
from taizhang.identity.tests.conftest import CLIENT_ID, CLIENT_SECRET, PEOPLE
from taizhang.identity.tests.test_directory import signed_in
from taizhang.orgs.models import Role
from taizhang.orgs.services import assign_role

User = get_user_model()
PASSWORDS = {p["username"]: p["password"] for p in PEOPLE}
ID_CARDS = {p["username"]: p["id_card"] for p in PEOPLE}


class _Form(HTMLParser):
    """The first form's action and fields, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = named.get("action") or ""
        elif tag == "input" and named.get("name") and named.get("type") != "submit":
            self.fields.setdefault(str(named["name"]), named.get("value") or "")


def platform_login(url: str, username: str) -> str:
    """Log in at the platform's page that `url` leads to; the address it sends the browser
    back to taizhang with (not followed: that is the test client's part)."""
    browser = requests.Session()
    page = browser.get(url, timeout=30)
    form = _Form()
    form.feed(page.text)
    fields = {**form.fields, "username": username, "password": PASSWORDS[username]}
    target = urljoin(page.url, form.action or page.url)
    answer = browser.post(target, data=fields, timeout=30, allow_redirects=False)
    while answer.is_redirect and urlsplit(answer.headers["Location"]).hostname != "testserver":
        answer = browser.get(urljoin(answer.url, answer.headers["Location"]), timeout=30,
                             allow_redirects=False)  # fmt: skip
    assert answer.is_redirect, answer.text[:500]
    return str(answer.headers["Location"])


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def oidc(oidc_provider: Any, settings: Any) -> Any:
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_ID_NUMBER_CLAIM = "id_card"
    return oidc_provider


@pytest.fixture
def cas(cas_server: Any, settings: Any) -> Any:
    settings.CAS_SERVER_URL = cas_server.url
    settings.CAS_ID_NUMBER_ATTRIBUTE = "last_name"
    return cas_server


def oidc_login(client: Client, username: str) -> Any:
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    asked = parse_qs(urlsplit(start["Location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"][0]
    back = platform_login(start["Location"], username)
    assert back.startswith("http://testserver/oidc/callback/?code=")
    return client.get(_local(back))


def cas_login(client: Client, username: str) -> Any:
    start = client.get(reverse("cas_login") + "?next=/")
    assert start.status_code == 302 and "service=" in start["Location"]
    back = platform_login(start["Location"], username)
    assert "ticket=ST-" in back
    return client.get(_local(back))


def test_the_login_page_offers_the_platforms_that_are_configured(db, client, oidc, cas,
                                                                  settings):  # fmt: skip
    settings.SSO_NAME = "临汾市统一身份认证"
    page = client.get(reverse("login")).content.decode()
    assert 'id="login-oidc"' in page and "临汾市统一身份认证登录" in page
    assert 'id="login-cas"' in page
    settings.OIDC_ISSUER = settings.CAS_SERVER_URL = ""
    assert 'id="login-platforms"' not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("cas_login")).status_code == 404


def test_openid_connect_logs_in_the_account_of_the_same_name(world, oidc):
    zhang = User.objects.create_user("zhangsan")  # no local password at all
    assign_role(zhang, world.dept_a1, Role.HANDLER)
    client = Client()
    page = oidc_login(client, "zhangsan")
    assert page.status_code == 302 and client.session["_auth_user_id"] == str(zhang.pk)
    assert signed_in(client)
    link = ExternalAccount.objects.get(user=zhang)
    assert link.platform == Platform.OIDC and link.subject  # the provider's `sub`
    entry = AuditEntry.objects.filter(kind=AuditKind.LOGIN, target="zhangsan").get()
    assert entry.detail["by"] == "PlatformOIDCBackend"
    # Renamed here, the link still finds the account.
    zhang.username = "zhangsan.yaodu"
    zhang.save()
    assert oidc_login(Client(), "zhangsan").status_code == 302


def test_a_code_is_good_for_one_login_only(world, oidc):
    User.objects.create_user("zhangsan")
    client = Client()
    start = client.get(reverse("oidc_authentication_init"))
    back = urlsplit(platform_login(start["Location"], "zhangsan"))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    assert "_auth_user_id" in client.session
    # Someone holding that code starts a flow of their own (a state their session knows) and
    # hands the used code in with it: the provider refuses it, nobody is logged in.
    thief = Client()
    their_state = parse_qs(urlsplit(thief.get(reverse("oidc_authentication_init"))["Location"])
                           .query)["state"][0]  # fmt: skip
    code = parse_qs(back.query)["code"][0]
    page = thief.get(reverse("oidc_authentication_callback"), {"code": code, "state": their_state})
    assert page.status_code == 302 and page["Location"] == reverse("sso_refused")
    assert "_auth_user_id" not in thief.session


def test_a_platform_user_without_an_account_is_told_and_audited(world, oidc):
    client = Client()
    page = oidc_login(client, "stranger")
    assert page.status_code == 302 and page["Location"] == reverse("sso_refused")
    refused = client.get(page["Location"])
    assert refused.status_code == 403
    assert "stranger 在台账系统中没有账号,请联系单位管理员开通。" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(kind=AuditKind.LOGIN_FAILED).get()
    assert entry.detail["platform"] == "oidc" and "没有账号" in entry.summary


def test_a_deactivated_account_is_refused(world, oidc):
    User.objects.create_user("zhangsan", is_active=False)
    client = Client()
    page = oidc_login(client, "zhangsan")
    assert page["Location"] == reverse("sso_refused")
    assert "已停用" in client.get(page["Location"]).content.decode()


def test_the_id_number_finds_the_account_whatever_its_name(world, oidc, settings):
    settings.SSO_MATCH = "id_number"
    matching.set_id_number(world.handler_a1, ID_CARDS["lisi"])
    client = Client()
    oidc_login(client, "lisi")
    assert client.session["_auth_user_id"] == str(world.handler_a1.pk)


def test_the_id_number_sent_as_a_digest_is_matched_too(world, oidc, settings):
    """A platform that sends only SM3(身份证号): the account is found all the same."""
    settings.SSO_MATCH, settings.SSO_ID_FORM = "id_number", "sm3"
    matching.set_id_number(world.handler_a2, ID_CARDS["lisi"])
    sent = matching.platform_form(ID_CARDS["lisi"])
    assert matching.id_digest(sent) == world.handler_a2.id_number.digest
    assert re.fullmatch(r"[0-9a-f]{64}", sent)


def test_local_passwords_can_be_switched_off_for_platform_users(world, oidc, settings):
    zhang = User.objects.create_user("zhangsan", password="a-local-Password-1")
    oidc_login(Client(), "zhangsan")
    assert zhang.external_accounts.exists()
    form = {"username": "zhangsan", "password": "a-local-Password-1"}
    assert Client().post(reverse("login"), form).status_code == 302  # allowed by default
    settings.SSO_ONLY = True
    client = Client()
    client.post(reverse("login"), form)
    assert "_auth_user_id" not in client.session
    office = {"username": "office", "password": "pw-office"}  # no platform knows this one
    assert Client().post(reverse("login"), office).status_code == 302


def test_the_platforms_multi_factor_can_stand_for_the_second_factor(world, oidc, settings):
    world.campaign.rules = {**world.campaign.rules, "second_factor_roles": ["office"]}
    world.campaign.save()
    world.office.username = "zhangsan"
    world.office.save()
    client = Client()
    oidc_login(client, "zhangsan")
    assert client.session[second_factor.STATE] == "pending"
    settings.SSO_TRUSTS_PLATFORM_MFA = True
    client = Client()
    oidc_login(client, "zhangsan")
    assert client.session[second_factor.STATE] == "ok"


def test_cas_logs_in_by_the_ticket_the_server_validates(world, cas):
    zhang = User.objects.create_user("zhangsan")
    client = Client()
    page = cas_login(client, "zhangsan")
    assert page.status_code == 302 and client.session["_auth_user_id"] == str(zhang.pk)
    link = ExternalAccount.objects.get(user=zhang)
    assert (link.platform, link.subject) == (Platform.CAS, "zhangsan")
    entry = AuditEntry.objects.filter(kind=AuditKind.LOGIN, target="zhangsan").get()
    assert entry.detail["by"] == "PlatformCASBackend"
    forged = Client()
    forged.get(reverse("cas_login") + "?next=/&ticket=ST-forged-ticket")
    assert "_auth_user_id" not in forged.session
    assert AuditEntry.objects.filter(kind=AuditKind.LOGIN_FAILED,
                                     summary__contains="CAS 票据无效").exists()  # fmt: skip


def test_cas_matches_by_the_id_number_attribute(world, cas, settings):
    settings.SSO_MATCH = "id_number"
    matching.set_id_number(world.leader_a, ID_CARDS["lisi"])
    client = Client()
    cas_login(client, "lisi")
    assert client.session["_auth_user_id"] == str(world.leader_a.pk)


def test_cas_refuses_a_person_without_an_account(world, cas):
    client = Client()
    page = cas_login(client, "stranger")
    assert page["Location"] == reverse("sso_refused")
    assert "没有账号" in client.get(page["Location"]).content.decode()


def test_a_platform_that_does_not_answer_is_said_so(db, client, settings):
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "http://127.0.0.1:9/o", CLIENT_ID
    page = client.get(reverse("oidc_authentication_init"))
    assert page.status_code == 503
    assert "暂时无法连接身份认证平台" in page.content.decode()
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    page = client.get(reverse("cas_login") + "?next=/&ticket=ST-1")
    assert page.status_code == 503


def test_the_admin_keeps_an_id_number_only_as_its_digest(world, settings):
    admin = User.objects.create_superuser("root", password="Root-pass-123")
    client = Client()
    client.force_login(admin)
    form = {"user": world.handler_b1.pk, "number": "141002198502020022"}
    page = client.post(reverse("admin:identity_idnumber_add"), form)
    assert page.status_code == 302
    settings.SSO_MATCH = "id_number"
    assert matching.account_for("cas", "lisi", id_sent="141002198502020022") == world.handler_b1
    assert "141002198502020022" not in str(list(IdNumber.objects.values()))
    bad = client.post(reverse("admin:identity_idnumber_add"), {"user": world.office.pk,
                                                              "number": "12"})  # fmt: skip
    assert "格式不正确" in bad.content.decode()
