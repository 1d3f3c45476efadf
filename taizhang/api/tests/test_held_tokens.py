"""Tokens, users and roles are held a few seconds per process; changes made here apply at once."""

from django.urls import reverse

from taizhang.api import tokens
from taizhang.api.models import ApiToken
from taizhang.api.tests.test_api import api_for
from taizhang.orgs.models import RoleAssignment


def _post(client, world):
    return client.post(
        reverse("api_suggestions", args=[world.campaign.slug]),
        {"channel": "hotline", "title": "路灯不亮", "text": "小区路灯坏了"},
        format="json",
    )


def test_a_revoked_token_is_refused_at_once(world):
    client = api_for(world.operator)
    assert _post(client, world).status_code == 201
    for token in ApiToken.objects.filter(user=world.operator):
        tokens.revoke(token, by=world.operator)
    assert _post(client, world).status_code == 401


def test_a_deactivated_user_is_refused_at_once(world):
    client = api_for(world.operator)
    assert _post(client, world).status_code == 201
    world.operator.is_active = False
    world.operator.save()
    assert _post(client, world).status_code == 401


def test_a_withdrawn_role_applies_at_once(world):
    client = api_for(world.operator)
    assert _post(client, world).status_code == 201
    RoleAssignment.objects.filter(user=world.operator).delete()
    assert _post(client, world).status_code == 404  # the campaign is no longer in their scope


def test_a_token_made_after_a_refusal_works(world):
    client = api_for(world.operator)
    for token in ApiToken.objects.filter(user=world.operator):
        tokens.revoke(token, by=world.operator)
    assert _post(client, world).status_code == 401
    _fresh, key = tokens.issue(world.operator, name="新的")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert _post(client, world).status_code == 201


def test_each_request_gets_its_own_user(world):
    from taizhang.api.authentication import HeldTokenAuthentication

    key = tokens.issue(world.operator, name="测试")[1]
    first, _ = HeldTokenAuthentication().authenticate_credentials(key)
    second, _ = HeldTokenAuthentication().authenticate_credentials(key)
    first.first_name = "改过"
    assert first is not second and second.first_name != "改过"
