"""Train on one set of labelled messages, predict another, and measure how well and how fast."""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from taizhang.triage.classify import BlendClassifier, TextClassifier, prepare
from taizhang.triage.topics import Message


@dataclass
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Evaluation:
    accuracy: float
    macro_f1: float
    classes: list[ClassScore]
    labels: list[str]
    confusion: list[list[int]]  # rows: true label, columns: predicted, in `labels` order
    train_seconds: float
    docs_per_second: float
    train_size: int
    test_size: int
    model: str

    def as_dict(self) -> dict[str, object]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "classes": [c.__dict__ for c in self.classes],
            "labels": self.labels,
            "confusion": self.confusion,
            "model": self.model,
            "train_seconds": round(self.train_seconds, 2),
            "docs_per_second": round(self.docs_per_second),
            "train_size": self.train_size,
            "test_size": self.test_size,
        }


def documents(messages: Sequence[Message]) -> list[str]:
    return [prepare(m.title, m.text) for m in messages]


def evaluate(
    train: Sequence[Message],
    train_labels: Sequence[str],
    test: Sequence[Message],
    test_labels: Sequence[str],
    seed: int = 0,
    model_kind: str = BlendClassifier.kind,
) -> Evaluation:
    started = time.perf_counter()
    kind = BlendClassifier if model_kind == BlendClassifier.kind else TextClassifier
    model = kind(seed=seed).fit(documents(train), train_labels)
    trained = time.perf_counter()
    # Throughput counts everything a new message goes through: normalising, features, the
    # model and, for the blend, the search for its precedents.
    predicted = model.predict(documents(test))
    predicted_at = time.perf_counter()
    labels = sorted(set(train_labels) | set(test_labels))
    p, r, f, s = precision_recall_fscore_support(
        test_labels, predicted, labels=labels, zero_division=0
    )
    return Evaluation(
        accuracy=float(accuracy_score(test_labels, predicted)),
        # scikit-learn's definition: the mean over labels seen in the truth or the predictions.
        macro_f1=float(f1_score(test_labels, predicted, average="macro", zero_division=0)),
        classes=[
            ClassScore(label, float(p[i]), float(r[i]), float(f[i]), int(s[i]))
            for i, label in enumerate(labels)
        ],
        labels=labels,
        confusion=confusion_matrix(test_labels, predicted, labels=labels).tolist(),
        train_seconds=trained - started,
        docs_per_second=len(test) / max(predicted_at - trained, 1e-9),
        train_size=len(train),
        test_size=len(test),
        model=kind.kind,
    )
