import csv
import json

import pytest
from django.core.management import CommandError, call_command

from taizhang.triage.tests.test_engine import LAMP, LAMP_VARIANTS, OTHER, _training_set
from taizhang.triage.tests.test_services import _labelled, submit


def _write(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_evaluate_prints_the_report_and_ends_with_macro_f1(tmp_path, capsys):
    docs, labels = _training_set()
    rows = [[f"{i}", "", d, y] for i, (d, y) in enumerate(zip(docs, labels, strict=True))]
    header = ["留言编号", "留言主题", "留言详情", "一级标签"]
    train = _write(tmp_path / "train.csv", header, rows[::2])
    test = _write(tmp_path / "test.csv", header, rows[1::2], encoding="gbk")
    call_command(
        "triage", "evaluate", "--train", str(train), "--test", str(test),
        "--text", "留言主题,留言详情", "--label", "一级标签",
    )  # fmt: skip
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("macro_f1=") and float(out[-1].split("=")[1]) > 0.6
    text = "\n".join(out)
    for part in ("accuracy=", "混淆矩阵", "train_seconds=", "docs_per_second=", "交通", "教育"):
        assert part in text


def test_evaluate_says_which_column_is_missing(tmp_path):
    bad = _write(tmp_path / "bad.csv", ["主题", "标签"], [["a", "b"]])
    with pytest.raises(CommandError, match="找不到列“留言详情”"):
        call_command(
            "triage", "evaluate", "--train", str(bad), "--test", str(bad),
            "--text", "主题,留言详情", "--label", "标签",
        )  # fmt: skip


def test_evaluate_refuses_a_row_without_a_label(tmp_path):
    rows = [["路灯坏了", "交通"], ["学校收费", ""]]
    path = _write(tmp_path / "x.csv", ["留言详情", "一级标签"], rows)
    with pytest.raises(CommandError, match="第 3 行"):
        call_command(
            "triage", "evaluate", "--train", str(path), "--test", str(path),
            "--text", "留言详情", "--label", "一级标签",
        )  # fmt: skip


def test_hot_lists_topics_as_text_and_json(tmp_path, capsys):
    header = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数"]
    rows = [
        [f"L{i}", f"u{i}", "路灯坏了", f"2026-03-0{i + 1} 10:00:00", text, "2"]
        for i, text in enumerate([LAMP, *LAMP_VARIANTS])
    ]
    rows += [
        [f"O{i}", "x", "其他", "2026-03-01 09:00:00", text, ""] for i, text in enumerate(OTHER)
    ]
    path = _write(tmp_path / "likes.csv", header, rows)
    args = ["triage", "hot", "--csv", str(path), "--text", "留言主题,留言详情"]
    args += ["--likes", "点赞数", "--time", "留言时间", "--user", "留言用户", "--top", "2"]
    call_command(*args)
    out = capsys.readouterr().out
    assert out.startswith("  1. 路灯坏了") and "L0, L1, L2, L3, L4" in out and "用户 5" in out
    call_command(*args, "--json")
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 2 and data[0]["messages"] == 5 and data[0]["likes"] == 10
    assert data[0]["ids"] == ["L0", "L1", "L2", "L3", "L4"] and data[0]["users"] == 5


def test_train_and_cluster_a_campaign(world, capsys):
    _labelled(world)
    for text in [LAMP, *LAMP_VARIANTS]:
        submit(world, text, title="路灯坏了")
    call_command("triage", "train", "--campaign", world.campaign.slug)
    assert "v1: 24 条样本, 2 类" in capsys.readouterr().out
    call_command("triage", "cluster", "--campaign", world.campaign.slug, "--kind", "duplicates")
    out = capsys.readouterr().out
    assert ". 路灯坏了  条数 5  群众 5" in out and "3 组重复" in out
    with pytest.raises(CommandError, match="找不到活动"):
        call_command("triage", "train", "--campaign", "nope")
