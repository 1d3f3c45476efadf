"""The shared cache on a real Redis the tests start (Debian's redis-server): the configuration
held per process follows a change made anywhere at once, two server processes agree, and a
Redis that goes away makes the cache miss, not the pages fail."""

import os
import shutil
import subprocess
import time
import urllib.request

import pytest
from django.core.cache import cache
from django.test import override_settings

from taizhang.core.fresh import FreshFor
from taizhang.testing import free_port, run_taizhang, seed_campaign, start_gunicorn, wait_for_port

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        server.terminate()
        server.wait(10)


def _redis_caches(url: str) -> dict:
    return {"default": {"BACKEND": "taizhang.core.cache.ResilientRedisCache", "LOCATION": url}}


def test_a_change_anywhere_is_seen_by_every_holder_at_once(redis_url):
    url, _server = redis_url
    with override_settings(CACHES=_redis_caches(url)):
        # Two processes' holders of the same configuration (the same name, one shared cache).
        here, there = FreshFor("test-held", seconds=60), FreshFor("test-held", seconds=60)
        assert here.get("k", lambda: "old") == "old"
        assert here.get("k", lambda: "new") == "old"  # held, as before
        there.forget()  # outside a transaction: counts as committed
        assert here.get("k", lambda: "new") == "new"
        # A miss that tells nobody else leaves the others' copies alone.
        there.forget(everywhere=False)
        assert here.get("k", lambda: "newer") == "new"


def test_a_redis_that_goes_away_makes_the_cache_miss_not_the_page_fail(redis_url):
    url, server = redis_url
    with override_settings(CACHES=_redis_caches(url)):
        cache.set("x", 1)
        assert cache.get("x") == 1
        server.terminate()
        server.wait(10)
        assert cache.get("x", "missing") == "missing"
        cache.set("y", 2)  # quietly not kept
        held = FreshFor("test-down", seconds=60)
        assert held.get("k", lambda: "value") == "value"
        held.forget()  # nothing to tell: no error either


def _page(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read().decode()


RENAME = """
from taizhang.campaigns.models import Campaign
c = Campaign.objects.get(slug="shared")
c.name = "新的活动名称"
c.save()
"""


def test_two_server_processes_sharing_redis_agree_at_once(redis_url, tmp_path):
    url, _server = redis_url
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "taizhang.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "TAIZHANG_VAR_DIR": str(tmp_path / "var"),
        "TAIZHANG_SECRET_KEY": "shared-cache-test-key-" + "x" * 40,
        "TAIZHANG_REDIS_URL": url,
    }
    run_taizhang(env, "migrate", "-v", "0")
    seed_campaign(env, "shared", "旧的活动名称")
    ports = [free_port(), free_port()]
    servers = [start_gunicorn(env, port) for port in ports]
    try:
        for port in ports:
            wait_for_port(port)
            assert "旧的活动名称" in _page(port, "/s/shared/")  # each now holds the campaign
        changed_at = time.monotonic()
        run_taizhang(env, "shell", "-c", RENAME)  # a third process changes it
        seen = [_page(port, "/s/shared/") for port in ports]
        # Each server holds a campaign for 5 s: only the shared generation explains the news.
        assert time.monotonic() - changed_at < 5
        assert all("新的活动名称" in page for page in seen)
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
