"""The labelled messages most like new ones: a sparse top-k search over an inverted index.

Comparing a message with every labelled one is a dense product that slows down as the campaign
labels more. Here only the distinctive terms count towards finding candidates: terms found in
more than a few per cent of the labelled messages are left out of the index (they say little
about which message is alike), and each query keeps its strongest terms. What people are
shown is then scored by the cosine over all terms (BlendClassifier.similarities).
"""

import numpy as np
from scipy.sparse import csr_matrix, diags


def top_per_row(matrix: csr_matrix, k: int) -> csr_matrix:
    """The same matrix with only the k largest values of each row kept (and those tied with
    the k-th). Rows longer than k are laid out side by side in classes of similar length
    (each at most twice as long as the shortest of its class) and cut at their k-th largest
    value by a partial sort."""
    matrix = matrix.tocsr()
    matrix.eliminate_zeros()
    lengths = np.diff(matrix.indptr)
    keep = np.ones(matrix.nnz, dtype=bool)
    long_rows = np.nonzero(lengths > k)[0]
    length_class = np.floor(np.log2(lengths[long_rows])).astype(np.int64)
    for c in np.unique(length_class):
        rows = long_rows[length_class == c]
        counts = lengths[rows]
        width = int(counts.max())
        slot_row = np.repeat(np.arange(len(rows)), counts)
        slot = np.arange(len(slot_row)) - np.repeat(np.cumsum(counts) - counts, counts)
        at = np.repeat(matrix.indptr[rows], counts) + slot
        laid = np.full((len(rows), width), -np.inf, dtype=np.float32)
        laid[slot_row, slot] = matrix.data[at]
        cut = np.partition(laid, width - k, axis=1)[:, width - k]
        keep[at] = matrix.data[at] >= cut[slot_row]
    row_of = np.repeat(np.arange(matrix.shape[0]), lengths)
    kept = np.bincount(row_of[keep], minlength=matrix.shape[0])
    return csr_matrix(
        (matrix.data[keep], matrix.indices[keep], np.r_[0, np.cumsum(kept)]), shape=matrix.shape
    )


class NeighbourIndex:
    """The distinctive terms of unit-length rows of labelled messages, as postings (term →
    messages), searched for each query's nearest messages. Only the postings are kept: a
    model carries its index, and the common terms hold most of a message's entries."""

    def __init__(
        self,
        vectors: csr_matrix,
        *,
        max_df: float = 0.02,
        min_common: int = 50,
        query_terms: int | None = 40,
    ) -> None:
        vectors = vectors.tocsr()
        n_docs, n_terms = vectors.shape
        doc_freq = np.bincount(vectors.indices, minlength=n_terms)
        self.distinctive = (doc_freq <= max(max_df * n_docs, min_common)).astype(np.float32)
        self.postings = (vectors @ diags(self.distinctive)).T.tocsr().astype(np.float32)
        self.postings.eliminate_zeros()
        self.size = n_docs
        self.query_terms = query_terms

    def __len__(self) -> int:
        return self.size

    def search(self, queries: csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, similarities), each of shape (queries, k), best first; position -1 (and
        similarity 0) where fewer than k labelled messages share a distinctive term. The
        similarity counts the distinctive terms only (and, of the query, its strongest)."""
        queries = queries.tocsr().astype(np.float32)
        n = queries.shape[0]
        pruned = queries.multiply(self.distinctive).tocsr()
        if self.query_terms:
            pruned = top_per_row(pruned, self.query_terms)
        best = top_per_row(pruned @ self.postings, k)
        positions = np.full((n, k), -1, dtype=np.int64)
        similarities = np.zeros((n, k), dtype=np.float32)
        rows = np.repeat(np.arange(n), np.diff(best.indptr))
        order = np.lexsort((best.indices, -best.data, rows))  # ties: the earlier labelled first
        slot = np.arange(len(order)) - best.indptr[rows[order]]
        first = slot < k  # beyond k: tied with the k-th
        positions[rows[order][first], slot[first]] = best.indices[order][first]
        similarities[rows[order][first], slot[first]] = best.data[order][first]
        return positions, similarities
