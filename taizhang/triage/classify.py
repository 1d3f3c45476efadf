"""Which focus area (or unit) a message belongs to: a linear model over characters and words.

Character 1–3-grams catch what word segmentation misses (new place names, typos); jieba's words
catch what characters spread thin. Trained on the campaign's own labelled rows, on the CPU, in
seconds; the same seed gives the same model.
"""

import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union

import numpy as np
from scipy.sparse import csr_matrix, diags, hstack

from taizhang.core.text import normalise
from taizhang.triage.features import CharTfidf, WordTfidf
from taizhang.triage.neighbours import NeighbourIndex

FORMAT = 1
CLASS_WEIGHT: str | None = None
_DIGITS = re.compile(r"\d+")
LEAD_CHARS = 25


def prepare(title: str, text: str) -> str:
    """What the classifiers read: the normal forms of title and text, digits folded to one
    symbol, on two lines (the title says what a message is about in a few words)."""
    return f"{_fold(title)}\n{_fold(text)}"


def _fold(text: str) -> str:
    return _DIGITS.sub("0", normalise(text))


def _split(doc: str) -> tuple[str, str]:
    title, newline, text = doc.partition("\n")
    return (title, text) if newline else ("", doc)


def full_view(doc: str) -> str:
    title, text = _split(doc)
    return f"{title} {text}".strip()


def lead_view(doc: str) -> str:
    """The title, or where there is none the opening of the text (where citizens say what
    they write about)."""
    title, text = _split(doc)
    return title or text[:LEAD_CHARS]


@dataclass
class Precedent:
    key: int  # what the labelled message was fitted with (a suggestion's primary key)
    label: str
    similarity: float  # cosine similarity of the two messages' features, 0–1


@dataclass
class Proposal:
    label: str
    confidence: float  # 0–1, from a softmax over the scores
    model_label: str = ""  # the linear model's own choice
    precedent_label: str = ""  # the precedents' vote; "" when no labelled message is alike
    precedents: list[Precedent] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        return self.model_label == self.precedent_label


def _legacy(doc: str) -> str:
    title, text = _split(doc)
    return f"{title} {title} {text}"  # what the first models were trained on: the title twice


class TextClassifier:
    """The first model: a linear SVM over character 1–3-grams and words. Kept for the models
    campaigns trained with it and as the baseline the blend is measured against."""

    kind = "svm"

    def __init__(self, c: float = 1.0, seed: int = 0) -> None:
        self.c = c
        self.seed = seed
        self.chars = CharTfidf(max_n=3, min_df=2)
        self.words = WordTfidf()
        from sklearn.svm import LinearSVC  # a second to import: only when a model is used

        self.model = LinearSVC(C=c, random_state=seed, class_weight=CLASS_WEIGHT)

    def _features(self, docs: Sequence[str], fit: bool = False) -> csr_matrix:
        docs = [_legacy(d) for d in docs]
        if fit:
            return hstack([self.chars.fit_transform(docs), self.words.fit_transform(docs)]).tocsr()
        return hstack([self.chars.transform(docs), self.words.transform(docs)]).tocsr()

    def fit(self, docs: Sequence[str], labels: Sequence[str]) -> "TextClassifier":
        if len(set(labels)) < 2:
            raise ValueError("至少需要两个类别的标注数据才能训练。")
        self.model.fit(self._features(docs, fit=True), list(labels))
        return self

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.model.classes_]

    def predict(self, docs: Sequence[str]) -> list[str]:
        return [str(c) for c in self.model.predict(self._features(docs))]

    def propose(self, docs: Sequence[str]) -> list[Proposal]:
        scores = self.model.decision_function(self._features(docs))
        if scores.ndim == 1:  # two classes: one score, positive for the second
            scores = np.column_stack([-scores, scores])
        # Scale chosen so that a margin of 1 (the SVM's own unit) reads as clear confidence.
        exp = np.exp(3.0 * (scores - scores.max(axis=1, keepdims=True)))
        probs = exp / exp.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        labels = [str(self.model.classes_[b]) for b in best]
        return [
            Proposal(label, float(probs[i, b]), model_label=label, precedent_label=label)
            for i, (label, b) in enumerate(zip(labels, best, strict=True))
        ]

    def precedents(self, docs: Sequence[str], k: int = 5) -> list[list[Precedent]]:
        return [[] for _d in docs]  # this model keeps no labelled messages

    def dumps(self) -> bytes:
        return pickle.dumps((FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)


Classifier = Union["TextClassifier", "BlendClassifier"]


def loads(blob: bytes) -> Classifier:
    fmt, model = pickle.loads(blob)
    if fmt != FORMAT:
        raise ValueError("模型格式已过期,请重新训练。")
    return model


class BlendClassifier:
    """A one-vs-rest NB-SVM (Wang & Manning 2012) blended with the vote of the most similar
    labelled messages, the precedents an experienced operator remembers.

    Features, each block scaled to unit length on its own: character unigrams (so that single
    characters keep weight of their own beside the many longer grams), character 1–3-grams,
    jieba's words, and the lead (title or opening) as character 1–3-grams. Each class's scores from the model and from the vote are standardised within the
    message before they are added, so that neither scale dominates.
    """

    kind = "blend"

    def __init__(
        self,
        c: float = 1.0,
        seed: int = 0,
        neighbours: int = 10,
        vote_weight: float = 0.2,
        lead_weight: float = 1.0,
    ) -> None:
        self.c = c
        self.seed = seed
        self.neighbours = neighbours
        self.vote_weight = vote_weight
        self.lead_weight = lead_weight
        self.unigrams = CharTfidf(max_n=1, min_df=2)
        self.ngrams = CharTfidf(max_n=3, min_df=2)
        self.words = WordTfidf()
        self.lead = CharTfidf(max_n=3, min_df=2)

    def _features(self, docs: Sequence[str], fit: bool = False) -> csr_matrix:
        full, lead = [full_view(d) for d in docs], [lead_view(d) for d in docs]
        step = "fit_transform" if fit else "transform"
        blocks = [
            getattr(self.unigrams, step)(full),
            getattr(self.ngrams, step)(full),
            getattr(self.words, step)(full),
            getattr(self.lead, step)(lead) * self.lead_weight,
        ]
        return hstack(blocks).tocsr().astype(np.float32)

    def fit(
        self, docs: Sequence[str], labels: Sequence[str], keys: Sequence[int] | None = None
    ) -> "BlendClassifier":
        from sklearn.svm import LinearSVC  # a second to import: only when a model is trained

        y = np.array([str(label) for label in labels])
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("至少需要两个类别的标注数据才能训练。")
        x = self._features(docs, fit=True)
        present = x.copy()
        present.data[:] = 1.0
        weights, intercepts = [], []
        for label in self.classes_ if len(self.classes_) > 2 else self.classes_[1:]:
            mine = y == label
            p = 1.0 + np.asarray(present[mine].sum(axis=0)).ravel()
            q = 1.0 + np.asarray(present[~mine].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            svm = LinearSVC(C=self.c, random_state=self.seed, class_weight="balanced")
            svm.fit(x @ diags(ratio), mine.astype(int))
            weights.append(svm.coef_.ravel() * ratio)
            intercepts.append(svm.intercept_[0])
        self.weights = np.vstack(weights).astype(np.float32)
        self.intercepts = np.array(intercepts, dtype=np.float32)
        self.index = NeighbourIndex(_unit_rows(x))
        self.precedent_labels = np.searchsorted(self.classes_, y)
        self.keys = np.array(keys if keys is not None else range(len(y)), dtype=np.int64)
        return self

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classes_]

    def _scores(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The model's scores and the vote, (docs, classes) each, and the neighbours found."""
        x = self._features(docs)
        model = np.asarray(x @ self.weights.T) + self.intercepts
        if len(self.classes_) == 2:
            model = np.column_stack([-model[:, 0], model[:, 0]])
        positions, similarities = self.index.search(_unit_rows(x), self.neighbours)
        vote = np.zeros_like(model)
        found = positions >= 0
        rows = np.nonzero(found)[0]
        np.add.at(vote, (rows, self.precedent_labels[positions[found]]), similarities[found])
        return model, vote, np.stack([positions, similarities])

    def propose(self, docs: Sequence[str], precedents: int = 0) -> list[Proposal]:
        model, vote, (positions, similarities) = self._scores(docs)
        blended = _standardised(model) + self.vote_weight * _standardised(vote)
        # Scale chosen so that a lead of one standard deviation reads as clear confidence.
        exp = np.exp(2.0 * (blended - blended.max(axis=1, keepdims=True)))
        probs = exp / exp.sum(axis=1, keepdims=True)
        proposals = []
        for i, best in enumerate(probs.argmax(axis=1)):
            voted = vote[i].argmax() if vote[i].any() else None
            proposals.append(
                Proposal(
                    label=str(self.classes_[best]),
                    confidence=float(probs[i, best]),
                    model_label=str(self.classes_[model[i].argmax()]),
                    precedent_label="" if voted is None else str(self.classes_[voted]),
                    precedents=self._precedents(positions[i], similarities[i], precedents),
                )
            )
        return proposals

    def _precedents(
        self, positions: np.ndarray, similarities: np.ndarray, k: int
    ) -> list[Precedent]:
        return [
            Precedent(
                int(self.keys[int(p)]),
                str(self.classes_[self.precedent_labels[int(p)]]),
                round(float(s), 3),
            )
            for p, s in zip(positions[:k], similarities[:k], strict=True)
            if p >= 0
        ]

    def predict(self, docs: Sequence[str]) -> list[str]:
        return [p.label for p in self.propose(docs)]

    def precedents(self, docs: Sequence[str], k: int = 5) -> list[list[Precedent]]:
        """The k labelled messages most like each doc, best first."""
        queries = _unit_rows(self._features(docs))
        positions, similarities = self.index.search(queries, k, exact=True)
        return [self._precedents(p, s, k) for p, s in zip(positions, similarities, strict=True)]

    def dumps(self) -> bytes:
        return pickle.dumps((FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)


def _unit_rows(x: csr_matrix) -> csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (diags(1.0 / norms) @ x).tocsr().astype(np.float32)


def _standardised(scores: np.ndarray) -> np.ndarray:
    """Each row's scores as standard deviations from that row's mean."""
    spread = scores.std(axis=1, keepdims=True)
    spread[spread == 0] = 1.0
    return (scores - scores.mean(axis=1, keepdims=True)) / spread
