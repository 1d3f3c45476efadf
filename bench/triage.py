"""Triage on the real contest messages: classification, near-duplicates, hot topics.

    .venv/bin/python bench/triage.py [--data ../shared/data] [--total 60000] [--seeds 0,1,2]

Reads the files from the data folder at run time (never copies them). Prints, against the
triage issue's goals:
- classification: macro-F1 and accuracy by stratified 5-fold cross-validation on
  messages_labeled.csv (repeated with several seeds) of the blend (NB-SVM + the precedents'
  vote), of the first model (linear SVM) and of the plain baseline (character 1–3-gram TF-IDF
  + linear SVM, scikit-learn's own vectoriser) on the same folds, training time on all
  labelled rows, and prediction throughput on one core, the precedent search included;
- the learning curve: macro-F1 of the blend and of the first model trained on 250, 500,
  1 000, 2 000 and all labelled messages of each training fold (`--only curve`);
- near-duplicates: `total` messages made from real ones (insertions, deletions, punctuation,
  traditional characters, full-width letters, swapped clauses; see triage_data.py), the time
  to cluster them, the precision and recall of duplicate pairs, and the speed-up over an
  all-pairs rapidfuzz comparison extrapolated from a sample;
- the top ten hot topics of messages_likes.csv.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the goal says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402
from triage_data import families  # noqa: E402

from taizhang.triage import dedup  # noqa: E402
from taizhang.triage.classify import BlendClassifier, TextClassifier, prepare  # noqa: E402
from taizhang.triage.topics import Message, hot_topics  # noqa: E402

GOAL_F1, FLOOR_F1, GOAL_DOCS_S, GOAL_TRAIN_S = 0.93, 0.915, 2000, 60
GOAL_CLUSTER_S, GOAL_PR, GOAL_SPEEDUP = 30, 0.95, 50


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def classification(data: Path, seeds: list[int]) -> None:
    rows = read(data / "messages_labeled.csv")
    titles = [r["留言主题"] or "" for r in rows]
    texts = [r["留言详情"] or "" for r in rows]
    y = np.array([r["一级标签"] for r in rows])
    docs = [prepare(t, x) for t, x in zip(titles, texts, strict=True)]
    raw = [f"{t} {x}" for t, x in zip(titles, texts, strict=True)]
    scores: dict[str, list[float]] = {"blend": [], "svm": [], "baseline": []}
    accs = []
    for seed in seeds:
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(docs, y):
            for kind in (BlendClassifier, TextClassifier):
                model = kind(seed=seed).fit([docs[i] for i in tr], y[tr])
                predicted = model.predict([docs[i] for i in te])
                scores[kind.kind].append(f1_score(y[te], predicted, average="macro"))
                if kind is BlendClassifier:
                    accs.append(accuracy_score(y[te], predicted))
            plain = make_pipeline(
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                LinearSVC(random_state=seed),
            ).fit([raw[i] for i in tr], y[tr])
            scores["baseline"].append(
                f1_score(y[te], plain.predict([raw[i] for i in te]), average="macro")
            )
    print(f"classification: {len(rows)} labelled messages, 5-fold CV × seeds {seeds}")
    for name, label in (
        ("blend", "blend (NB-SVM + precedents' vote, the model campaigns train)"),
        ("svm", "svm (the first model)"),
        ("baseline", "baseline (char 1–3-gram TF-IDF + linear SVM)"),
    ):
        f = scores[name]
        goal = f"   goal ≥ {GOAL_F1} (issue's floor {FLOOR_F1})" if name == "blend" else ""
        print(f"  {label}: macro-F1 {statistics.mean(f):.4f} ± {statistics.stdev(f):.4f}{goal}")
    print(f"  blend accuracy {statistics.mean(accs):.4f}")
    unlabelled = read(data / "messages_likes.csv") + read(data / "messages_replies.csv")
    new = [(r["留言主题"], r["留言详情"]) for r in unlabelled]
    for kind in (BlendClassifier, TextClassifier):
        started = time.perf_counter()
        model = kind().fit(docs, [str(label) for label in y])
        trained = time.perf_counter() - started
        started = time.perf_counter()
        model.propose([prepare(t, x) for t, x in new])
        rate = len(new) / (time.perf_counter() - started)
        print(
            f"  {kind.kind}: training on all {len(rows)} {trained:.1f} s "
            f"(goal < {GOAL_TRAIN_S} s); "
            f"prediction {rate:.0f} docs/s on one core ({len(new)} messages, normalising"
            f"{' and the precedent search' if kind is BlendClassifier else ''} included; "
            f"goal ≥ {GOAL_DOCS_S})"
        )


def learning_curve(data: Path, seeds: list[int]) -> None:
    """Macro-F1 by the number of labelled messages the model learns from (a stratified sample
    of each training fold), scored on the whole test fold."""
    rows = read(data / "messages_labeled.csv")
    y = np.array([r["一级标签"] for r in rows])
    docs = [prepare(r["留言主题"] or "", r["留言详情"] or "") for r in rows]
    sizes = [250, 500, 1000, 2000, None]
    found: dict[tuple[str, int | None], list[float]] = {}
    for seed in seeds:
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(docs, y):
            for size in sizes:
                part = tr
                if size is not None and size < len(tr):
                    part, _rest = train_test_split(
                        tr, train_size=size, stratify=y[tr], random_state=seed
                    )
                for kind in (BlendClassifier, TextClassifier):
                    model = kind(seed=seed).fit([docs[i] for i in part], y[part])
                    predicted = model.predict([docs[i] for i in te])
                    found.setdefault((kind.kind, size), []).append(
                        f1_score(y[te], predicted, average="macro")
                    )
    print(f"learning curve: macro-F1 by labelled messages, 5-fold CV × seeds {seeds}")
    print("  labelled     blend            svm")
    for size in sizes:
        cells = [
            f"{statistics.mean(found[(k, size)]):.4f} ± {statistics.stdev(found[(k, size)]):.4f}"
            for k in ("blend", "svm")
        ]
        print(f"  {size or 'all (≈2 197)':<12} {cells[0]}  {cells[1]}")


def near_duplicates(data: Path, total: int) -> None:
    texts, family = families(data, total)
    started = time.perf_counter()
    found = dedup.find_duplicates(texts)
    took = time.perf_counter() - started
    members: dict[int, list[int]] = {}
    for i, f in enumerate(family):
        members.setdefault(f, []).append(i)
    truth = {p for m in members.values() for p in itertools.combinations(m, 2)}
    got = {(i, j) for i, j, _s in found.pairs}
    hit = len(truth & got)
    precision, recall = hit / max(len(got), 1), hit / max(len(truth), 1)
    print(f"near-duplicates: {len(texts)} messages in {len(members)} families")
    print(f"  clustered in {took:.1f} s   goal < {GOAL_CLUSTER_S} s")
    print(f"  pairs: {len(truth)} true, {len(got)} found; precision {precision:.4f}, "
          f"recall {recall:.4f}   goal ≥ {GOAL_PR} each")  # fmt: skip
    from rapidfuzz import fuzz, process

    sample = texts[:1500]
    started = time.perf_counter()
    process.cdist(sample, sample, scorer=fuzz.ratio, workers=1, score_cutoff=60)
    per_pair = (time.perf_counter() - started) / (len(sample) ** 2)
    baseline = per_pair * len(texts) * (len(texts) - 1) / 2
    print(
        f"  baseline: all-pairs rapidfuzz ratio, {per_pair * 1e6:.2f} µs a pair on a "
        f"{len(sample)}-message sample → {baseline:.0f} s for all pairs; "
        f"speed-up {baseline / took:.0f}×   goal ≥ {GOAL_SPEEDUP}×"
    )


def topics(data: Path) -> None:
    rows = read(data / "messages_likes.csv")
    messages = [
        Message(
            id=r["留言编号"],
            title=r["留言主题"],
            text=r["留言详情"],
            user=r["留言用户"],
            likes=int(r["点赞数"] or 0),
        )
        for r in rows
    ]
    started = time.perf_counter()
    top = hot_topics(messages, top=10)
    took = time.perf_counter() - started
    print(f"hot topics of messages_likes.csv ({len(rows)} messages, {took:.1f} s):")
    for t in top:
        print(f"  {t.rank:>2}. {t.title}  ({t.size} 条, {t.users} 人, 点赞 {t.likes})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--total", type=int, default=60_000)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--only", default="classification,curve,duplicates,topics")
    args = parser.parse_args()
    only = args.only.split(",")
    if "classification" in only:
        classification(args.data, [int(s) for s in args.seeds.split(",")])
    if "curve" in only:
        learning_curve(args.data, [int(s) for s in args.seeds.split(",")])
    if "duplicates" in only:
        near_duplicates(args.data, args.total)
    if "topics" in only:
        topics(args.data)


if __name__ == "__main__":
    main()
