"""Import of a ledger at the article's scale, against django-import-export as the baseline.

    .venv/bin/python bench/import.py [--rows 270000] [--baseline-rows 3000] [--db sqlite,postgres]
    .venv/bin/python bench/import.py --layout office [--rows 270000] [--db sqlite]

Writes a 12-column problems workbook of the article's size, then for each database: a fresh
database with the demo's 12 038 units and an empty campaign, `taizhang import` of the whole
file (timed end to end, as a user runs it), and django-import-export (bulk mode, the same
model and columns) on the first `--baseline-rows` rows, whose rate is extrapolated to the whole
file. Prints both rates and the ratio (goal: ≥ 20×, and under 30 s end to end).
django-import-export is not a dependency of taizhang: `pip install django-import-export` first.

With `--layout office` the same rows are also written as an office keeps its ledger (a title
and 填报单位 line, a two-row merged header, a section row per focus area instead of its column,
deadlines in words, unit names abbreviated or with the city before them, 完成情况 with 已完成
and 正在整改, a total and a 填表人 line), and both files are checked (`--dry-run`) and
imported on fresh databases; it prints each time, the ratio office / template (goal ≤ 1.5×)
and the peak memory of the import's processes together (goal < 1 GB).
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "import"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/taizhang_import")
SLUG = "import-bench"
HEADER = [
    "编号",
    "问题",
    "问题描述",
    "聚焦领域",
    "来源",
    "责任单位",
    "责任领导",
    "责任人",
    "整改类型",
    "整改措施",
    "整改时限",
    "备注",
]


def django_setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    django.setup()


def setup_database() -> None:
    """Child process: migrate, the demo's units, an empty campaign to import into."""
    django_setup()
    from django.core.management import call_command
    from django.utils import timezone

    from taizhang.demo.builder import build_campaign, build_orgs

    call_command("migrate", verbosity=0)
    orgs = build_orgs(1.0, random.Random(2021))
    campaign = build_campaign(orgs[0], timezone.localdate())
    campaign.slug = SLUG
    campaign.save(update_fields=["slug"])


def write_workbook(path: Path, rows: int) -> None:
    """Child process (needs the units): a ledger as an office would keep it."""
    django_setup()
    from taizhang.campaigns.models import Campaign
    from taizhang.demo import names
    from taizhang.orgs.models import Org
    from taizhang.sheets.xlsx import write_table

    campaign = Campaign.objects.get(slug=SLUG)
    names_seen: dict[str, int] = {}
    for name in Org.objects.exclude(kind="city").values_list("name", flat=True):
        names_seen[name] = names_seen.get(name, 0) + 1
    units = [name for name, count in names_seen.items() if count == 1]  # names, as offices write
    areas = [a.name for a in campaign.focus_areas.all()]
    rng = random.Random(7)
    start = campaign.starts_on

    def rows_():  # type: ignore[no-untyped-def]
        for n in range(1, rows + 1):
            area = rng.choice(areas)
            subjects, issues, measures = names.TEMPLATES[area]
            title = f"{rng.choice(subjects)}{rng.choice(issues)}"
            yield [
                f"IMP-{n:07d}",
                title,
                f"经查摆,{title}。",
                area,
                "自查",
                rng.choice(units),
                "张伟",
                "赵磊",
                rng.choice(["立行立改", "限期整改", "长期坚持"]),
                "\n".join(f"{i}. {m}" for i, m in enumerate(rng.sample(measures, 2), 1)),
                (start + dt.timedelta(days=rng.randint(30, 150))).isoformat(),
                "",
            ]

    write_table(
        path,
        sheet="台账",
        title="问题整改台账",
        subtitle="",
        headers=HEADER,
        widths=[14] * len(HEADER),
        wrapped=[False] * len(HEADER),
        rows=rows_(),
    )


OFFICE_TOP = ["序号", "存在问题", "整改措施", "", "责任单位", "责任领导", "责任人", "完成情况"]
OFFICE_SUB = ["", "", "具体措施", "完成时限", "", "", "", ""]


def _deadline_words(day: dt.date, rng: random.Random) -> str:
    """A deadline as offices write it, never before `day`."""
    choice = rng.random()
    if choice < 0.15:
        return "立行立改"
    if choice < 0.25:
        return "长期坚持"
    if choice < 0.7:
        return f"{day.year}年{day.month}月底前"
    if choice < 0.85:
        return f"{day.year}年{day.month}月{day.day}日前"
    return day.isoformat()


def _as_offices_write(name: str, city: str, rng: random.Random) -> str:
    from taizhang.orgs.naming import ABBREVIATIONS

    written = name
    for long, short in ABBREVIATIONS[:-2]:  # 委员会 and 办公室 kept: offices write them whole
        written = written.replace(long, short)
    prefixed = rng.random() < 0.2 and not written.startswith(city)
    return f"{city}{written}" if prefixed else written


def write_office_workbook(path: Path, rows: int) -> None:
    """Child process (needs the units): the same kind of ledger in an office's layout."""
    django_setup()
    from taizhang.campaigns.models import Campaign
    from taizhang.demo import names
    from taizhang.orgs.models import Org
    from taizhang.orgs.naming import short_form
    from taizhang.sheets.xlsx import Sheet, write_sheets

    campaign = Campaign.objects.select_related("org").get(slug=SLUG)
    keys: dict[str, int] = {}
    all_names = list(Org.objects.exclude(kind="city").values_list("name", flat=True))
    for name in all_names:
        keys[short_form(name)] = keys.get(short_form(name), 0) + 1
    units = [n for n in all_names if keys[short_form(n)] == 1]  # names that say one unit
    areas = [a.name for a in campaign.focus_areas.all()]
    rng = random.Random(7)
    start, span = campaign.starts_on, (campaign.ends_on - campaign.starts_on).days

    def rows_():  # type: ignore[no-untyped-def]
        yield OFFICE_SUB
        per_area = rows // len(areas)
        serial = 0
        for index, area in enumerate(areas):
            yield [f"{'一二三四五六七八九十'[index]}、聚焦{area}方面"]
            subjects, issues, measures = names.TEMPLATES[area]
            count = per_area if index < len(areas) - 1 else rows - serial
            for _ in range(count):
                serial += 1
                title = f"{rng.choice(subjects)}{rng.choice(issues)}(第{serial}项)"
                day = start + dt.timedelta(days=rng.randint(10, span))
                done = rng.random()
                yield [
                    serial,
                    title,
                    "\n".join(f"{i}. {m}" for i, m in enumerate(rng.sample(measures, 2), 1)),
                    _deadline_words(day, rng),
                    _as_offices_write(rng.choice(units), campaign.org.name, rng),
                    "张伟",
                    "赵磊",
                    "已完成" if done < 0.6 else ("正在整改" if done < 0.85 else ""),
                ]
        yield ["合计", f"{rows} 个问题"]
        yield ["填表人:赵磊", "", "审核人:张伟", "", "日期:2026年12月1日"]

    write_sheets(
        path,
        [
            Sheet(
                "台账",
                f"{campaign.name}问题整改台账",
                f"填报单位:{campaign.org.name}",
                headers=OFFICE_TOP,
                widths=[8, 30, 30, 14, 20, 10, 10, 20],
                wrapped=[False] * len(OFFICE_TOP),
                merges=["C3:D3", *(f"{c}3:{c}4" for c in "ABEFGH")],
            )
        ],
        rows_(),
    )


def baseline(path: Path, rows: int) -> None:
    """Child process: django-import-export in bulk mode on the first `rows` rows."""
    django_setup()
    import tablib
    from django.utils import timezone
    from import_export import fields, resources, widgets
    from openpyxl import load_workbook

    from taizhang.campaigns.models import Campaign, FocusArea
    from taizhang.ledger.models import Problem
    from taizhang.orgs.models import Org

    campaign = Campaign.objects.get(slug=SLUG)
    sheet = load_workbook(path, read_only=True).active
    data = tablib.Dataset(headers=HEADER)
    for index, row in enumerate(sheet.iter_rows(min_row=4, values_only=True)):
        if index >= rows:
            break
        # A read-only sheet's rows are as wide as its widest row: keep the ledger's columns.
        data.append((list(row) + [None] * len(HEADER))[: len(HEADER)])
    kinds = {"立行立改": "immediate", "限期整改": "deadline", "长期坚持": "long_term"}

    class ProblemResource(resources.ModelResource):
        number = fields.Field(attribute="number", column_name="编号")
        title = fields.Field(attribute="title", column_name="问题")
        description = fields.Field(attribute="description", column_name="问题描述")
        focus_area = fields.Field(
            attribute="focus_area",
            column_name="聚焦领域",
            widget=widgets.ForeignKeyWidget(FocusArea, "name"),
        )
        org = fields.Field(
            attribute="org", column_name="责任单位", widget=widgets.ForeignKeyWidget(Org, "name")
        )
        responsible_leader = fields.Field(attribute="responsible_leader", column_name="责任领导")
        responsible_person = fields.Field(attribute="responsible_person", column_name="责任人")
        kind = fields.Field(attribute="kind", column_name="整改类型")
        deadline = fields.Field(
            attribute="deadline", column_name="整改时限", widget=widgets.DateWidget("%Y-%m-%d")
        )

        class Meta:
            model = Problem
            use_bulk = True
            batch_size = 1000
            import_id_fields = ("number",)
            skip_unchanged = False
            fields = (
                "number",
                "title",
                "description",
                "focus_area",
                "org",
                "responsible_leader",
                "responsible_person",
                "kind",
                "deadline",
            )

        def before_save_instance(self, instance, row, **kwargs):  # type: ignore[no-untyped-def]
            instance.campaign = campaign
            instance.org_path = instance.org.path
            instance.kind = kinds.get(instance.kind, instance.kind)
            instance.source, instance.status = "self_found", "rectifying"
            instance.created_at = timezone.now()

    started = time.perf_counter()
    result = ProblemResource().import_data(data, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    errors = len(result.row_errors()) + len(result.invalid_rows)
    print(f"{rows} {seconds:.3f} {errors}")


def fresh_env(db: str) -> dict[str, str]:
    env = {**os.environ, "TAIZHANG_VAR_DIR": str(OUT / db)}
    (OUT / db).mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / db / 'import.sqlite3'}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{OUT / db / 'import.sqlite3'}"
    else:
        base, name = PG_URL.rsplit("/", 1)
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
        env["DATABASE_URL"] = PG_URL
    return env


def child(mode: str, env: dict[str, str], *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, __file__, mode, *extra],
        env=env,
        cwd=OUT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


class TreeMemory:
    """The resident memory of a process and its children together, sampled every 50 ms
    (the import reads the workbook in a child of its own)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.done = pid, 0, False
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done:
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.05)

    def _tree_rss(self) -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                status = (entry / "status").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
            found = [line for line in status.splitlines() if line.startswith("VmRSS:")]
            rss[int(entry.name)] = int(found[0].split()[1]) * 1024 if found else 0
        tree, grew = {self.pid}, True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        return sum(rss.get(pid, 0) for pid in tree)

    def stop(self) -> int:
        self.done = True
        self.thread.join()
        return self.peak


def timed_import(workbook: Path, env: dict[str, str], *extra: str) -> tuple[float, int, str]:
    """Seconds, peak memory of the import's processes, and what it printed."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "taizhang", "import", str(workbook), "--campaign", SLUG,
         "--no-progress", *extra],
        env=env, cwd=OUT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    memory = TreeMemory(process.pid)
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"import of {workbook.name} failed:\n{output[-3000:]}")
    return seconds, peak, output.strip().splitlines()[-1] if output.strip() else ""


def compare_layouts(rows: int, dbs: list[str]) -> int:
    """The project's own template against an office's layout, same rows, check and import."""
    template, office = OUT / f"ledger-{rows}.xlsx", OUT / f"office-{rows}.xlsx"
    for db in dbs:
        results: dict[str, dict[str, tuple[float, int, str]]] = {}
        for name, workbook in (("template", template), ("office", office)):
            env = fresh_env(db)
            child("--setup", env)
            if not workbook.exists():
                mode = "--write" if name == "template" else "--write-office"
                child(mode, env, str(workbook), str(rows))
            results[name] = {
                "check": timed_import(workbook, env, "--dry-run"),
                "import": timed_import(workbook, env),
            }
        for step in ("check", "import"):
            ours, theirs = results["template"][step], results["office"][step]
            print(
                f"[{db}] {step:>6}: template {ours[0]:.1f} s ({ours[1] / 2**20:,.0f} MB peak), "
                f"office layout {theirs[0]:.1f} s ({theirs[1] / 2**20:,.0f} MB peak); "
                f"ratio {theirs[0] / ours[0]:.2f}× (goal ≤ 1.5×, peak < 1 024 MB)"
            )
            print(f"[{db}]         office: {theirs[2]}")
    return 0


def main() -> int:
    modes = {
        "--setup": lambda: setup_database(),
        "--write": lambda: write_workbook(Path(sys.argv[2]), int(sys.argv[3])),
        "--write-office": lambda: write_office_workbook(Path(sys.argv[2]), int(sys.argv[3])),
        "--baseline": lambda: baseline(Path(sys.argv[2]), int(sys.argv[3])),
    }
    if sys.argv[1:2] and sys.argv[1] in modes:
        modes[sys.argv[1]]()
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=270_000)
    parser.add_argument("--baseline-rows", type=int, default=3000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--layout", choices=["template", "office"], default="template")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.layout == "office":
        return compare_layouts(args.rows, args.db.split(","))
    workbook = OUT / f"ledger-{args.rows}.xlsx"
    for db in args.db.split(","):
        env = fresh_env(db)
        child("--setup", env)
        if not workbook.exists():
            child("--write", env, str(workbook), str(args.rows))
        started = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-m", "taizhang", "import", str(workbook), "--campaign", SLUG],
            env=env,
            cwd=OUT,
            capture_output=True,
            text=True,
        )
        ours = time.perf_counter() - started
        if output.returncode != 0:
            print(output.stdout, output.stderr)
            return 1
        ours_rate = args.rows / ours
        env = fresh_env(db)
        child("--setup", env)
        rows, seconds, errors = child(
            "--baseline", env, str(workbook), str(args.baseline_rows)
        ).split()
        base_rate = int(rows) / float(seconds)
        print(
            f"[{db}] taizhang import: {args.rows} rows in {ours:.1f} s ({ours_rate:,.0f} rows/s;"
            f" goal 30 s: {ours / 30:.2f}×)"
        )
        print(
            f"[{db}] django-import-export (bulk, first {rows} rows, {errors} errors): "
            f"{base_rate:,.0f} rows/s → {args.rows / base_rate:,.0f} s for the file"
        )
        print(f"[{db}] ratio: {ours_rate / base_rate:.1f}× faster than the baseline (goal 20×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
