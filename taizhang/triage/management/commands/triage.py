import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.triage.dataset import Columns, read_rows, split_names
from taizhang.triage.evaluation import evaluate
from taizhang.triage.topics import hot_topics


class Command(BaseCommand):
    help = "分诊:分类评估、热点话题、模型训练 (Triage: evaluate a classifier, hot topics, training)"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        ev = actions.add_parser("evaluate", help="train on one labelled CSV, score another")
        ev.add_argument("--train", required=True, type=Path)
        ev.add_argument("--test", required=True, type=Path)
        ev.add_argument("--text", required=True, help="text columns, comma separated")
        ev.add_argument("--label", required=True)
        ev.add_argument("--seed", type=int, default=0)
        ev.add_argument("--json", action="store_true")
        hot = actions.add_parser("hot", help="the top hot topics of a CSV of messages")
        hot.add_argument("--csv", required=True, type=Path)
        hot.add_argument("--text", required=True)
        hot.add_argument("--likes", default="")
        hot.add_argument("--time", default="")
        hot.add_argument("--user", default="")
        hot.add_argument("--id", default="")
        hot.add_argument("--top", type=int, default=10)
        hot.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None

    def _evaluate(self, o: dict[str, Any]) -> None:
        columns = Columns(text=split_names(o["text"]), label=o["label"])
        train, test = read_rows(o["train"], columns), read_rows(o["test"], columns)
        result = evaluate(train.messages, train.labels, test.messages, test.labels, o["seed"])
        if o["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            w = self.stdout.write
            w(f"训练 (train): {result.train_size} 条   测试 (test): {result.test_size} 条")
            w(f"accuracy={result.accuracy:.4f}")
            w(f"{'类别 (class)':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
            for c in result.classes:
                w(f"{c.label:<14}{c.precision:>10.4f}{c.recall:>10.4f}{c.f1:>10.4f}{c.support:>9}")
            w("混淆矩阵 (confusion matrix; rows: true, columns: predicted)")
            w("\t" + "\t".join(result.labels))
            for label, row in zip(result.labels, result.confusion, strict=True):
                w(label + "\t" + "\t".join(str(v) for v in row))
            w(f"train_seconds={result.train_seconds:.2f}")
            w(f"docs_per_second={result.docs_per_second:.0f}")
        self.stdout.write(f"macro_f1={result.macro_f1:.4f}")

    def _hot(self, o: dict[str, Any]) -> None:
        columns = Columns(
            text=split_names(o["text"]),
            likes=o["likes"],
            time=o["time"],
            user=o["user"],
            id=o["id"] or _guess_id(o["csv"]),
        )
        rows = read_rows(o["csv"], columns)
        topics = hot_topics(rows.messages, top=o["top"])
        if o["json"]:
            data = [
                {
                    "rank": t.rank,
                    "title": t.title,
                    "messages": t.size,
                    "users": t.users if columns.user else None,
                    "likes": t.likes,
                    "first": t.first.isoformat(sep=" ") if t.first else None,
                    "last": t.last.isoformat(sep=" ") if t.last else None,
                    "score": t.score,
                    "ids": t.message_ids,
                }
                for t in topics
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for t in topics:
            users = f"  用户 {t.users}" if columns.user else ""
            span = f"  {t.first:%Y-%m-%d}…{t.last:%Y-%m-%d}" if t.first and t.last else ""
            self.stdout.write(
                f"{t.rank:>3}. {t.title}\n     留言 {t.size}{users}  点赞 {t.likes}"
                f"  热度 {t.score}{span}\n     编号 {', '.join(t.message_ids)}"
            )


def _guess_id(path: Path) -> str:
    """Use 留言编号 (or 编号) as the message id when the file has one; otherwise the row number."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            header = f.readline()
    except (OSError, UnicodeDecodeError):
        return ""
    return next((n for n in ("留言编号", "编号", "id") if n in header.split(",")), "")
