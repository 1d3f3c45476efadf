"""The shared cache on a real Redis the tests start (Debian's redis-server): the configuration
held per process follows a change made anywhere at once, two server processes agree, and a
Redis that goes away makes the cache miss, not the pages fail."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from taizhang.core.fresh import FreshFor

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


@pytest.fixture
def redis_url(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port)
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


def _run(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "taizhang", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _page(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read().decode()


SETUP = """
import datetime as dt
from taizhang.campaigns.services import create_campaign
from taizhang.orgs.services import create_org
city = create_org(code="141000", name="临汾市", kind="city")
today = dt.date.today()
create_campaign(slug="shared", name="旧的活动名称", org=city, focus_areas=["民生"],
                starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=10))
"""
RENAME = """
from taizhang.campaigns.models import Campaign
c = Campaign.objects.get(slug="shared")
c.name = "新的活动名称"
c.save()
"""


@pytest.mark.django_db(transaction=True)
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
    _run(env, "migrate", "-v", "0")
    _run(env, "shell", "-c", SETUP)
    ports = [_free_port(), _free_port()]
    command = [sys.executable, "-m", "gunicorn", "taizhang.wsgi:application", "--workers", "1"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    servers = [
        subprocess.Popen([*command, "--bind", f"127.0.0.1:{port}"], env=env, cwd=ROOT, **quiet)
        for port in ports
    ]
    try:
        for port in ports:
            _wait_for_port(port)
            assert "旧的活动名称" in _page(port, "/s/shared/")  # each now holds the campaign
        changed_at = time.monotonic()
        _run(env, "shell", "-c", RENAME)  # a third process changes it
        seen = [_page(port, "/s/shared/") for port in ports]
        # Each server holds a campaign for 5 s: only the shared generation explains the news.
        assert time.monotonic() - changed_at < 5
        assert all("新的活动名称" in page for page in seen)
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
