import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.campaigns.models import Campaign
from taizhang.core.progress import draw_bar
from taizhang.triage import jobs
from taizhang.triage.evaluation import evaluate
from taizhang.triage.management.dataset import Columns, read_rows, split_names
from taizhang.triage.models import RunKind, RunStatus, Target
from taizhang.triage.services import train
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
        ev.add_argument(
            "--model",
            choices=["blend", "svm"],
            default="blend",
            help="blend: NB-SVM with the precedents' vote (what campaigns train); svm: the first",
        )
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
        train = actions.add_parser("train", help="train the campaign's area or unit model")
        train.add_argument("--campaign", required=True)
        train.add_argument("--target", choices=Target.values, default=Target.AREA)
        train.add_argument("--seed", type=int, default=0)
        cluster = actions.add_parser("cluster", help="hot topics or duplicate clusters, now")
        cluster.add_argument("--campaign", required=True)
        cluster.add_argument(
            "--kind", choices=[RunKind.TOPICS, RunKind.DUPLICATES], default=RunKind.TOPICS
        )
        cluster.add_argument("--top", type=int, default=20, help="clusters to print")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None

    def _evaluate(self, o: dict[str, Any]) -> None:
        columns = Columns(text=split_names(o["text"]), label=o["label"])
        train, test = read_rows(o["train"], columns), read_rows(o["test"], columns)
        result = evaluate(
            train.messages, train.labels, test.messages, test.labels, o["seed"], o["model"]
        )
        if o["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            w = self.stdout.write
            w(f"模型 (model): {result.model}")
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

    def _train(self, o: dict[str, Any]) -> None:
        campaign = _campaign(o["campaign"])
        model = train(campaign, o["target"], seed=o["seed"], progress=self._bar("交叉验证"))
        m = model.metrics
        self.stdout.write(
            f"{campaign.slug} {model.get_target_display()} v{model.version}: "
            f"{model.train_size} 条样本, {len(model.labels)} 类, "
            f"{m['folds']} 折交叉验证 macro_f1={m['macro_f1']:.4f} "
            f"accuracy={m['accuracy']:.4f}, 训练 {m['train_seconds']} 秒"
        )

    def _cluster(self, o: dict[str, Any]) -> None:
        campaign = _campaign(o["campaign"])
        run = jobs.start_run(campaign, o["kind"], by=None)
        jobs.execute(run.pk, progress_hook=self._bar("计算"))
        run.refresh_from_db()
        if run.status != RunStatus.DONE:
            raise CommandError(run.message)
        self.stdout.write(run.message)
        for c in run.clusters.all()[: o["top"]]:
            self.stdout.write(
                f"{c.rank:>3}. {c.title}  条数 {c.size}  群众 {c.citizens}  附议 {c.votes}"
                f"  热度 {c.score:.1f}"
            )

    def _bar(self, label: str) -> Callable[[int, int], None]:
        def show(done: int, total: int) -> None:
            draw_bar(self.stderr, label, done, total, last=done >= total)

        return show

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


def _campaign(slug: str) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise CommandError(f"找不到活动 {slug} (no such campaign)")
    return campaign


def _guess_id(path: Path) -> str:
    """Use 留言编号 (or 编号) as the message id when the file has one; otherwise the row number."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            header = f.readline()
    except (OSError, UnicodeDecodeError):
        return ""
    return next((n for n in ("留言编号", "编号", "id") if n in header.split(",")), "")
