"""TF-IDF features for Chinese text, computed in bulk with numpy.

scikit-learn's character analyzer builds a Python string for every n-gram, which caps prediction
near a thousand messages a second. Here a character n-gram is an exact integer (three 21-bit code
points packed into 63 bits), so a whole batch is counted with a few array operations.
"""

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix


def _tfidf(docs: np.ndarray, cols: np.ndarray, n_docs: int, idf: np.ndarray) -> csr_matrix:
    """Rows of sublinear tf × idf, each scaled to unit length."""
    counts = csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (docs, cols)), shape=(n_docs, len(idf))
    )
    counts.sum_duplicates()
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    return unit_rows(counts)


def unit_rows(x: csr_matrix) -> csr_matrix:
    """Each row scaled to unit length (empty rows left empty), as float32."""
    x = x.tocsr()
    lengths = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), lengths)
    squares = np.bincount(rows, weights=x.data.astype(np.float64) ** 2, minlength=x.shape[0])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    data = (x.data / np.repeat(norms, lengths)).astype(np.float32)
    return csr_matrix((data, x.indices, x.indptr), shape=x.shape)


def _idf(doc_freq: np.ndarray, n_docs: int) -> np.ndarray:
    return (np.log((1 + n_docs) / (1 + doc_freq)) + 1.0).astype(np.float32)


def char_ngrams(texts: Sequence[str], max_n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(document index, n-gram id) for every character 1…max_n-gram of every text."""
    joined = "\0".join(t.replace("\0", "") for t in texts) + "\0"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc_of = np.cumsum(codes == 0) - (codes == 0)
    ids_parts, docs_parts = [], []
    gram = codes.copy()
    valid = codes != 0
    for n in range(1, max_n + 1):
        if n > 1:
            shifted = codes[n - 1 :]
            gram = (gram[:-1] << np.uint64(21)) | shifted
            valid = valid[:-1] & (shifted != 0)
        # Code points are below 2**21 and never 0 inside a text, so 1-, 2- and 3-grams cannot
        # collide: each longer one is at least 2**21 times the largest shorter one.
        ids_parts.append(gram[valid])
        docs_parts.append(doc_of[: len(valid)][valid])
    return np.concatenate(docs_parts), np.concatenate(ids_parts)


class CharTfidf:
    """Character 1–3-gram TF-IDF with a vocabulary of n-grams seen in at least min_df texts."""

    def __init__(self, max_n: int = 3, min_df: int = 2) -> None:
        self.max_n = max_n
        self.min_df = min_df

    def fit_transform(self, texts: Sequence[str]) -> csr_matrix:
        return self.fit_grams(*char_ngrams(texts, self.max_n), len(texts))

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        return self.transform_grams(*char_ngrams(texts, self.max_n), len(texts))

    def fit_grams(self, docs: np.ndarray, ids: np.ndarray, n_texts: int) -> csr_matrix:
        """fit_transform for n-grams already counted by char_ngrams (up to max_n or beyond:
        longer ones are left out)."""
        docs, ids = _up_to(docs, ids, self.max_n)
        pairs = np.unique(np.stack([ids, docs.astype(np.uint64)]), axis=1)
        vocab, doc_freq = np.unique(pairs[0], return_counts=True)
        keep = doc_freq >= self.min_df
        self.vocab = vocab[keep]
        self.idf = _idf(doc_freq[keep], n_texts)
        return self.transform_grams(docs, ids, n_texts)

    def transform_grams(self, docs: np.ndarray, ids: np.ndarray, n_texts: int) -> csr_matrix:
        docs, ids = _up_to(docs, ids, self.max_n)
        cols = np.searchsorted(self.vocab, ids)
        cols[cols == len(self.vocab)] = 0
        found = self.vocab[cols] == ids
        return _tfidf(docs[found], cols[found], n_texts, self.idf)


def _up_to(docs: np.ndarray, ids: np.ndarray, max_n: int) -> tuple[np.ndarray, np.ndarray]:
    """The n-grams of at most max_n characters (an n-gram's id is below 2**(21 n))."""
    if max_n >= 3:
        return docs, ids
    short = ids < np.uint64(1 << (21 * max_n))
    return docs[short], ids[short]


class WordTfidf:
    """Word TF-IDF over jieba's segmentation (the Rust port, for speed)."""

    def fit_transform(self, texts: Sequence[str]) -> csr_matrix:
        words = [set(_cut(t)) for t in texts]
        doc_freq: dict[str, int] = {}
        for ws in words:
            for w in ws:
                doc_freq[w] = doc_freq.get(w, 0) + 1
        self.vocab = {w: i for i, w in enumerate(sorted(doc_freq))}
        self.idf = _idf(np.array([doc_freq[w] for w in sorted(doc_freq)]), len(texts))
        return self.transform(texts)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        import rjieba

        docs: list[int] = []
        cols: list[int] = []
        lookup = self.vocab.get
        for d, text in enumerate(texts):
            # The vocabulary holds no blank "words": what the cut yields between words is left.
            found = [c for c in map(lookup, rjieba.cut(text, False)) if c is not None]
            cols.extend(found)
            docs.extend([d] * len(found))
        return _tfidf(
            np.array(docs, dtype=np.int64), np.array(cols, dtype=np.int64), len(texts), self.idf
        )


def _cut(text: str) -> list[str]:
    import rjieba

    return [w for w in rjieba.cut(text, False) if w.strip()]
