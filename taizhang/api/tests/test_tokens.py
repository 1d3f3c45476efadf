"""API tokens: made and revoked by their user, shown once and stored as a digest, expiring,
and narrowed by a scope (read only, intake only)."""

import datetime as dt
from importlib import import_module

from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from taizhang.api import tokens
from taizhang.api.models import ApiToken


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _post(client, world):
    return client.post(reverse("api_suggestions", args=[world.campaign.slug]),
                       {"channel": "hotline", "title": "路灯不亮", "text": "小区路灯坏了"},
                       format="json")  # fmt: skip


def test_a_user_makes_a_token_sees_it_once_and_revokes_it(world):
    page = Client()
    page.force_login(world.operator)
    made = page.post(reverse("token_list"), {"name": "12345 热线系统", "scope": "intake",
                                             "days": 30}).content.decode()  # fmt: skip
    key = made.split('id="token-key">')[1].split("<")[0]
    assert key.startswith("tz_") and len(key) == 46
    token = ApiToken.objects.get(user=world.operator)
    assert token.digest == tokens.digest(key) and key not in str(
        ApiToken.objects.values().get())  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        assert key not in str(cursor.fetchall())  # only the digest is stored
    listed = page.get(reverse("token_list")).content.decode()
    assert key not in listed and token.prefix in listed  # never shown again
    assert _post(_api(key), world).status_code == 201
    page.post(reverse("token_revoke", args=[token.pk]))
    assert _post(_api(key), world).status_code == 401
    other = Client()
    other.force_login(world.office)
    assert other.post(reverse("token_revoke", args=[token.pk])).status_code == 404


def test_scopes_narrow_what_a_token_may_do(world):
    _t, read = tokens.issue(world.operator, name="报表", scope="read")
    _t, intake = tokens.issue(world.operator, name="热线", scope="intake")
    stats = reverse("api_stats", args=[world.campaign.slug])
    assert _api(read).get(stats).status_code == 200
    assert _post(_api(read), world).status_code == 403
    assert _post(_api(intake), world).status_code == 201
    assert _api(intake).get(stats).status_code == 403


def test_an_expired_token_is_refused(world):
    token, key = tokens.issue(world.operator, name="热线", days=1)
    assert _post(_api(key), world).status_code == 201
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    token.refresh_from_db()
    token.save()  # (a change every process hears of at once)
    refused = _post(_api(key), world)
    assert refused.status_code == 401 and "已过期" in refused.json()["detail"]


def test_tokens_made_before_are_hashed_and_keep_working(world):
    old = Token.objects.create(user=world.operator)
    migration = import_module("taizhang.api.migrations.0001_initial")
    migration.hash_old_tokens(django_apps, None)
    assert not Token.objects.exists()  # the clear keys are gone
    assert _post(_api(old.key), world).status_code == 201
