"""Reading an uploaded workbook in a memory-capped child process against reading it in the
server's own process (the baseline: what taizhang did before the child was introduced).

    .venv/bin/python bench/sheet_reader.py [--rows 270000] [--runs 3]

Writes a 12-column ledger of `--rows` rows, then reads it `--runs` times each way and prints
the median seconds and the ratio child / in-process (the price of the isolation).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "sheet_reader"
HEADER = ["编号", "问题", "问题描述", "聚焦领域", "来源", "责任单位", "责任领导", "责任人",
          "整改类型", "整改措施", "整改时限", "备注"]  # fmt: skip


def write(path: Path, rows: int) -> None:
    from taizhang.sheets.xlsx import write_table

    rng = random.Random(7)
    start = dt.date(2021, 11, 8)

    def body():  # type: ignore[no-untyped-def]
        for n in range(1, rows + 1):
            title = f"第{rng.randint(1, 999)}号窗口办事排队时间长{'、材料多' * rng.randint(0, 3)}"
            yield [f"IMP-{n:07d}", title, f"经查摆,{title}。", "优化营商环境", "自查",
                   f"某某局{rng.randint(1, 900)}", "张伟", "赵磊", "限期整改",
                   "1. 精简环节\n2. 一窗受理",
                   (start + dt.timedelta(days=rng.randint(30, 150))).isoformat(), ""]  # fmt: skip

    write_table(path, sheet="台账", title="问题整改台账", subtitle="", headers=HEADER,
                widths=[14] * 12, wrapped=[False] * 12, rows=body())  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=270_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    import django

    django.setup()
    from taizhang.sheets.parse_child import parse
    from taizhang.sheets.reading import read_table

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ledger-{args.rows}.xlsx"
    if not path.exists():
        write(path, args.rows)
    print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MB, {args.rows} rows")
    timings: dict[str, list[float]] = {"in-process": [], "child": []}
    for _ in range(args.runs):
        started = time.perf_counter()
        found = parse(str(path))
        timings["in-process"].append(time.perf_counter() - started)
        started = time.perf_counter()
        table = read_table(path, {"问题"})
        timings["child"].append(time.perf_counter() - started)
        assert len(found[0][1]) == len(table.rows)
    medians = {k: statistics.median(v) for k, v in timings.items()}
    for name, seconds in medians.items():
        runs = ", ".join(f"{t:.2f}" for t in timings[name])
        print(f"{name:>10}: median {seconds:.2f} s  (runs: {runs})")
    print(f"ratio child / in-process: {medians['child'] / medians['in-process']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
