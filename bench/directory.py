"""`taizhang directory sync` at a province's size: N people in a real slapd, placed in units.

    .venv/bin/python bench/directory.py [--people 20000] [--units 2000]

Starts Debian's slapd in bench/out/directory, fills it with N people whose departmentNumber
names one of the units (by code) and employeeType their role, makes a fresh SQLite database
with those units, then times: the first sync (every account created and placed), a second
with nothing to change (what the nightly run costs on most nights), and a dry run in which 5 %
of the people moved unit and 2 % left. Baseline: reading the directory alone (the paged search
and the mapping of each entry), the floor any sync pays.
"""

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "directory"
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--units", type=int, default=2000)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    os.environ.update({"TAIZHANG_VAR_DIR": str(OUT), "DJANGO_SETTINGS_MODULE": "taizhang.settings",
                       "DATABASE_URL": f"sqlite:///{OUT / 'bench.sqlite3'}"})  # fmt: skip
    from taizhang.identity.tests.platforms.slapd import (
        SERVICE_DN,
        SERVICE_PASSWORD,
        SUFFIX,
        add,
        start_slapd,
    )  # fmt: skip

    server = start_slapd(OUT / "slapd")
    base = f"ou=people,{SUFFIX}"
    add(server.admin, base, objectClass=["organizationalUnit"], ou="people")
    roles = ["经办人"] * 8 + ["单位管理员", "领导"]
    started = time.perf_counter()
    for n in range(args.people):
        unit, role = f"U{n % args.units:05d}", roles[n % len(roles)]
        add(server.admin, f"uid=p{n:06d},{base}", objectClass=["inetOrgPerson"],
            uid=f"p{n:06d}", cn=f"人员{n}", sn="人", mail=f"p{n}@linfen.gov.cn",
            departmentNumber=unit, employeeType=role)  # fmt: skip
    filled = time.perf_counter() - started
    os.environ.update({"TAIZHANG_LDAP_URL": server.url, "TAIZHANG_LDAP_BIND_DN": SERVICE_DN,
                       "TAIZHANG_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
                       "TAIZHANG_LDAP_USER_BASE": base})  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    from taizhang.audit.context import SYSTEM, acting_as
    from taizhang.identity import directory
    from taizhang.orgs.models import OrgKind
    from taizhang.orgs.services import create_org

    call_command("migrate", verbosity=0)
    city = create_org(code="141000", name="临汾市", kind=OrgKind.CITY)
    for u in range(args.units):
        create_org(code=f"U{u:05d}", name=f"单位{u}", kind=OrgKind.DEPARTMENT, parent=city)
    figures: dict[str, float | int] = {"people": args.people, "units": args.units,
                                       "fill_s": round(filled, 1)}  # fmt: skip
    with acting_as(SYSTEM):
        started = time.perf_counter()
        figures["entries"] = len(directory.read_directory())
        figures["read_s"] = round(time.perf_counter() - started, 2)
        for name in ("first", "unchanged"):
            started = time.perf_counter()
            report = directory.sync(directory.read_directory())
            figures[f"{name}_s"] = round(time.perf_counter() - started, 2)
            figures[f"{name}_changes"] = report.changes()
        for n in range(0, args.people, 20):
            server.admin.modify_s(f"uid=p{n:06d},{base}", [(2, "departmentNumber", [b"U00000"])])
        for n in range(7, args.people, 50):
            server.admin.delete_s(f"uid=p{n:06d},{base}")
        started = time.perf_counter()
        report = directory.sync(directory.read_directory(), dry_run=True, force=True)
        figures["dry_run_s"] = round(time.perf_counter() - started, 2)
        figures["dry_run_changes"] = report.changes()
    server.admin.unbind_s()
    server.process.terminate()
    read = float(figures["read_s"])
    for name in ("first", "unchanged", "dry_run"):
        took = float(figures[f"{name}_s"])
        figures[f"{name}_per_s"] = round(args.people / took)
        figures[f"{name}_vs_read"] = round(took / read, 1)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
