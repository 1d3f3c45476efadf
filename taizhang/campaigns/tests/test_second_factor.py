"""双因素认证: the roles a campaign names give a TOTP code (or a recovery code) after their
password, enrolling the first time; others are not asked."""

import time

from django.test import Client
from django.urls import reverse

from taizhang.audit import totp
from taizhang.audit.models import AuditEntry, AuditKind, SecondFactor

PASSWORD = "Correct-horse-9"


def _password_login(world, user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


def _now_code(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, int(time.time() // totp.STEP) + offset)


def test_the_office_enrols_an_authenticator_then_gives_codes(world):
    world.campaign.rules = {**world.campaign.rules, "second_factor_roles": ["office"]}
    world.campaign.save()
    todo = reverse("todo", args=[world.campaign.slug])
    client = _password_login(world, world.office)
    first = client.get(todo)
    assert first.status_code == 302 and first.url.startswith(reverse("second_factor"))
    # Nor can the session's cookie reach the API before the code is given.
    api = client.get(reverse("api_stats", args=[world.campaign.slug]))
    assert api.status_code == 302 and api.url.startswith(reverse("second_factor"))
    page = client.get(first.url).content.decode()
    secret = SecondFactor.objects.get(user=world.office).secret
    assert totp.grouped(secret) in page and "otpauth://totp/" in page
    wrong = client.post(first.url, {"code": "000000" if _now_code(secret) != "000000" else "1"})
    assert wrong.status_code == 400
    used = _now_code(secret)
    done = client.post(first.url, {"code": used}).content.decode()
    codes = done.split('id="recovery-codes">')[1].split("</ol>")[0]
    recovery = codes.split("<code>")[1].split("</code>")[0]
    assert client.get(todo).status_code == 200
    assert AuditEntry.objects.filter(kind=AuditKind.ACCOUNT, summary="启用双因素认证").exists()
    # Next login: a code; a used code does not work twice; a recovery code works once.
    again = Client()
    again.post(reverse("login"), {"username": "office", "password": PASSWORD})
    url = again.get(todo).url
    assert again.post(url, {"code": used}).status_code == 400  # a code works once
    assert again.post(url, {"code": recovery}).status_code == 302
    assert again.get(todo).status_code == 200
    third = Client()
    third.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert third.post(third.get(todo).url, {"code": recovery}).status_code == 400
    assert AuditEntry.objects.filter(kind=AuditKind.LOGIN_FAILED,
                                     summary__contains="动态口令").exists()  # fmt: skip


def test_roles_the_campaign_does_not_name_are_not_asked(world):
    world.campaign.rules = {**world.campaign.rules, "second_factor_roles": ["office"]}
    world.campaign.save()
    client = _password_login(world, world.handler_a1)
    assert client.get(reverse("todo", args=[world.campaign.slug])).status_code == 200
    assert not SecondFactor.objects.exists()
