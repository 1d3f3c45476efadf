"""Real identity platforms for the tests, each a process of its own started here: Debian's
OpenLDAP (slapd), an OpenID Connect provider and a CAS server (platforms/). Each test gets
its own branch of the directory, so tests do not see each other's people."""

import itertools
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import ldap
import ldap.modlist
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from taizhang.identity.tests.platforms.slapd import (
    SERVICE_DN,
    SERVICE_PASSWORD,
    SLAPD,
    SUFFIX,
    add,
    free_port,
    start_slapd,
)  # fmt: skip

PEOPLE = [
    {"username": "zhangsan", "password": "platform-pw-1", "name": "张三",
     "id_card": "14100219800101001X"},
    {"username": "lisi", "password": "platform-pw-2", "name": "李四",
     "id_card": "141002198502020022"},
    {"username": "stranger", "password": "platform-pw-3", "name": "王五",
     "id_card": "141002199003030033"},
]  # fmt: skip
CLIENT_ID, CLIENT_SECRET = "taizhang-test", "client-secret-for-tests"
_branches = itertools.count(1)


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """OpenLDAP's slapd on a free port, with the city's tree and a service account."""
    if not os.path.exists(SLAPD):
        pytest.skip("slapd is not installed (Debian's slapd: scripts/system-deps.sh, as root)")
    server = start_slapd(tmp_path_factory.mktemp("slapd"))
    yield server
    server.admin.unbind_s()
    _stop(server.process)


class Branch:
    """One test's part of the directory (ou=tN), configured as the people's base."""

    def __init__(self, conn: Any, base: str) -> None:
        self.conn, self.base = conn, base

    def dn(self, uid: str) -> str:
        return f"uid={uid},{self.base}"

    def person(self, uid: str, name: str, *, unit: str = "", role: str = "",
               password: str = "", **more: str) -> str:  # fmt: skip
        mail = f"{uid}@linfen.gov.cn"
        attrs: dict[str, Any] = {"objectClass": ["inetOrgPerson"], "uid": uid, "cn": name,
                                 "sn": name[:1], "mail": mail, **more}  # fmt: skip
        if unit:
            attrs["departmentNumber"] = unit
        if role:
            attrs["employeeType"] = role
        if password:
            attrs["userPassword"] = password
        add(self.conn, self.dn(uid), **attrs)
        return self.dn(uid)

    def change(self, uid: str, **attrs: str) -> None:
        self.conn.modify_s(self.dn(uid), [(ldap.MOD_REPLACE, k, [v.encode()])
                                          for k, v in attrs.items()])  # fmt: skip

    def remove(self, uid: str) -> None:
        self.conn.delete_s(self.dn(uid))


@pytest.fixture
def directory(slapd: SimpleNamespace, settings: Any) -> Branch:
    base = f"ou=t{next(_branches)},{SUFFIX}"
    add(slapd.admin, base, objectClass=["organizationalUnit"], ou=base.split(",")[0][3:])
    settings.AUTH_LDAP_SERVER_URI = slapd.url
    settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD = SERVICE_DN, SERVICE_PASSWORD
    settings.LDAP_USER_BASE = base
    return Branch(slapd.admin, base)


def _platform(
    kind: str, folder: Path, setup: dict[str, Any], ready: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], Path]:
    (folder / "setup.json").write_text(json.dumps({**setup, "people": PEOPLE}))
    log = folder / "server.log"
    port = setup["port"]
    process = subprocess.Popen(
        [sys.executable, "-m", "taizhang.identity.tests.platforms.serve", kind, str(port),
         str(folder)],
        env={**os.environ, **(env or {}), "PYTHONPATH": str(Path(__file__).parents[3])},
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for(ready.format(port=port), process, log)
    return process, log


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """django-oauth-toolkit's OpenID Connect provider, as a process of its own."""
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()  # fmt: skip
    setup = {"port": port, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
             "redirect_uris": ["http://testserver/oidc/callback/"]}  # fmt: skip
    process, _log = _platform(
        "oidc", folder, setup, "http://127.0.0.1:{port}/o/.well-known/openid-configuration",
        env={"PLATFORM_RSA_KEY": pem, "PLATFORM_ISSUER": issuer},
    )  # fmt: skip
    yield SimpleNamespace(issuer=issuer, url=f"http://127.0.0.1:{port}")
    _stop(process)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def cas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """django-cas-server, as a process of its own."""
    folder = tmp_path_factory.mktemp("cas")
    port = free_port()
    setup = {"port": port, "service_pattern": r"^http://testserver/.*"}
    process, _log = _platform("cas", folder, setup, "http://127.0.0.1:{port}/cas/login")
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}/cas/")
    _stop(process)
    shutil.rmtree(folder, ignore_errors=True)
