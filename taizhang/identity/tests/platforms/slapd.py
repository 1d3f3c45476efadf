"""Debian's OpenLDAP server, started on a free port with a tree of its own in a folder: for
the directory tests and bench/directory.py."""

import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import ldap
import ldap.modlist

SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=linfen,dc=gov,dc=cn"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "directory-secret"
SERVICE_DN, SERVICE_PASSWORD = f"cn=taizhang,{SUFFIX}", "service-secret"
CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile {folder}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 1073741824
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {folder}/db
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
# As a directory's administrator would for taizhang's service account; any other account
# keeps slapd's default limit of 500 entries a search, paged or not.
limits dn.exact="{service}" size=unlimited
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add(conn: Any, dn: str, **attrs: Any) -> None:
    entry = {
        k: [v.encode() for v in (vs if isinstance(vs, list) else [vs])] for k, vs in attrs.items()
    }
    conn.add_s(dn, ldap.modlist.addModlist(entry))


def start_slapd(folder: Path) -> SimpleNamespace:
    """slapd serving `folder`'s database at `.url`, `.admin` bound as its root, with the
    city's entry and the service account taizhang binds as; stop `.process` when done."""
    (folder / "db").mkdir(parents=True, exist_ok=True)
    conf = folder / "slapd.conf"
    conf.write_text(CONF.format(folder=folder, suffix=SUFFIX, admin=ADMIN_DN,
                                password=ADMIN_PASSWORD, service=SERVICE_DN))  # fmt: skip
    url = f"ldap://127.0.0.1:{free_port()}/"
    log = folder / "slapd.log"
    process = subprocess.Popen([SLAPD, "-f", str(conf), "-h", url, "-d", "0"],
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            admin = ldap.initialize(url)
            admin.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
            break
        except ldap.SERVER_DOWN:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"slapd did not start: {log.read_text()}") from None
            time.sleep(0.1)
    add(admin, SUFFIX, objectClass=["dcObject", "organization"], dc="linfen", o="临汾市")
    add(admin, SERVICE_DN, objectClass=["organizationalRole", "simpleSecurityObject"],
        cn="taizhang", userPassword=SERVICE_PASSWORD)  # fmt: skip
    return SimpleNamespace(url=url, admin=admin, process=process)
