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

from taizhang.core.text import fold
from taizhang.triage.features import CharTfidf, WordTfidf, unit_rows
from taizhang.triage.neighbours import NeighbourIndex

FORMAT = 1
CLASS_WEIGHT: str | None = None
_DIGITS = re.compile(r"\d+")
LEAD_CHARS = 25
BATCH = 2048


def prepare(title: str, text: str) -> str:
    """What the classifiers read: the normal forms of title and text, digits folded to one
    symbol, on two lines (the title says what a message is about in a few words)."""
    return f"{_fold(title)}\n{_fold(text)}"


def _fold(text: str) -> str:
    return _DIGITS.sub("0", fold(text))


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
    def agreed(self) -> bool | None:
        """Whether the model and the precedents chose alike; None without precedents."""
        return self.model_label == self.precedent_label if self.precedent_label else None


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
            Proposal(label, float(probs[i, b]), model_label=label)
            for i, (label, b) in enumerate(zip(labels, best, strict=True))
        ]

    def precedents(self, docs: Sequence[str], k: int = 5) -> list[list[Precedent]]:
        return [[] for _d in docs]  # this model keeps no labelled messages

    def similarities(self, doc: str, others: Sequence[str]) -> list[float]:
        return [0.0 for _o in others]

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
    characters keep weight of their own beside the many longer grams), character 1–2-grams
    (trigrams added nothing beside the words, and cost a third of the time), jieba's words,
    and the lead (title or opening) as character 1–3-grams. Each class's scores
    from the model and from the vote are standardised within the message before they are
    added, so that neither scale dominates.
    """

    kind = "blend"

    def __init__(
        self,
        c: float = 1.0,
        seed: int = 0,
        neighbours: int = 5,
        vote_weight: float = 0.2,
        lead_weight: float = 1.0,
        char_n: int = 2,
    ) -> None:
        self.c = c
        self.seed = seed
        self.neighbours = neighbours
        self.vote_weight = vote_weight
        self.lead_weight = lead_weight
        self.ngrams = CharTfidf(max_n=char_n, min_df=2)
        self.words = WordTfidf()
        self.lead = CharTfidf(max_n=3, min_df=2)

    def _features(self, docs: Sequence[str], fit: bool = False) -> csr_matrix:
        full, lead = [full_view(d) for d in docs], [lead_view(d) for d in docs]
        if fit:
            ngrams = self.ngrams.fit_transform(full)
            blocks = [ngrams, self.words.fit_transform(full), self.lead.fit_transform(lead)]
            self.n_unigrams = int(np.searchsorted(self.ngrams.vocab, np.uint64(1 << 21)))
        else:
            ngrams = self.ngrams.transform(full)
            blocks = [ngrams, self.words.transform(full), self.lead.transform(lead)]
        # The unigrams' columns come first in the n-gram vocabulary (their ids are the smallest):
        # the same tf-idf values, scaled to unit length as a block of their own.
        unigrams = unit_rows(ngrams[:, : self.n_unigrams])
        return hstack(
            [unigrams, blocks[0], blocks[1], (blocks[2] * self.lead_weight).tocsr()], format="csr"
        )

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
            # Scaled by the ratios, features reach several units: allow liblinear more rounds.
            svm = LinearSVC(
                C=self.c, random_state=self.seed, class_weight="balanced", max_iter=3000
            )
            svm.fit(x @ diags(ratio), mine.astype(int))
            weights.append(svm.coef_.ravel() * ratio)
            intercepts.append(svm.intercept_[0])
        self.weights = np.vstack(weights).astype(np.float32)
        self.intercepts = np.array(intercepts, dtype=np.float32)
        self.index = NeighbourIndex(unit_rows(x))
        self.precedent_labels = np.searchsorted(self.classes_, y)
        self.keys = np.array(keys if keys is not None else range(len(y)), dtype=np.int64)
        return self

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classes_]

    def _scores(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The model's scores and the vote, (docs, classes) each, and the neighbours found
        (positions and similarities, (docs, neighbours) each)."""
        x = self._features(docs)
        model = np.asarray(x @ self.weights.T) + self.intercepts
        if len(self.classes_) == 2:
            model = np.column_stack([-model[:, 0], model[:, 0]])
        positions, similarities = self.index.search(unit_rows(x), self.neighbours)
        vote = np.zeros_like(model)
        found = positions >= 0
        rows = np.nonzero(found)[0]
        np.add.at(vote, (rows, self.precedent_labels[positions[found]]), similarities[found])
        return model, vote, positions, similarities

    def propose(self, docs: Sequence[str], precedents: int = 0) -> list[Proposal]:
        # A few thousand at a time: the arrays of a batch then stay in the processor's caches.
        if len(docs) > BATCH:
            return [
                p
                for start in range(0, len(docs), BATCH)
                for p in self.propose(docs[start : start + BATCH], precedents)
            ]
        model, vote, positions, similarities = self._scores(docs)
        blended = _standardised(model) + self.vote_weight * _standardised(vote)
        # Scale chosen so that a lead of one standard deviation reads as clear confidence.
        exp = np.exp(2.0 * (blended - blended.max(axis=1, keepdims=True)))
        probs = exp / exp.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        labels = [str(c) for c in self.classes_]
        voted = np.where(vote.any(axis=1), vote.argmax(axis=1), -1).tolist()
        return [
            Proposal(
                label=labels[b],
                confidence=float(probs[i, b]),
                model_label=labels[m],
                precedent_label=labels[v] if v >= 0 else "",
                precedents=self._precedents(positions[i], similarities[i], precedents)
                if precedents
                else [],
            )
            for i, (b, m, v) in enumerate(
                zip(best.tolist(), model.argmax(axis=1).tolist(), voted, strict=True)
            )
        ]

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
        """The k labelled messages most like each doc by their distinctive terms, best first
        (the model keeps no texts: to show a similarity, rescore them with similarities())."""
        positions, similarities = self.index.search(unit_rows(self._features(docs)), k)
        return [self._precedents(p, s, k) for p, s in zip(positions, similarities, strict=True)]

    def similarities(self, doc: str, others: Sequence[str]) -> list[float]:
        """The cosine similarity of doc to each of the others over all the model's features."""
        if not others:
            return []
        x = unit_rows(self._features([doc, *others]))
        return [round(float(v), 3) for v in (x[1:] @ x[0].T).toarray().ravel()]

    def dumps(self) -> bytes:
        return pickle.dumps((FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)


def _standardised(scores: np.ndarray) -> np.ndarray:
    """Each row's scores as standard deviations from that row's mean."""
    spread = scores.std(axis=1, keepdims=True)
    spread[spread == 0] = 1.0
    return (scores - scores.mean(axis=1, keepdims=True)) / spread
