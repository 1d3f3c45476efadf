"""The labelled messages most like new ones: a sparse top-k search over an inverted index.

Comparing a message with every labelled one is a dense product that slows down as the campaign
labels more. Here only the distinctive terms count towards finding candidates: terms found in
more than a few per cent of the labelled messages are left out of the index (they say little
about which message is alike), and each query keeps its strongest terms. For what people
are shown, the candidates found that way are scored by their cosine similarity over all terms.
"""

import numpy as np
from scipy.sparse import csr_matrix, diags


def top_per_row(matrix: csr_matrix, k: int) -> csr_matrix:
    """The same matrix with only the k largest values of each row kept."""
    matrix = matrix.tocsr()
    matrix.eliminate_zeros()
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    order = np.lexsort((-matrix.data, rows))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - matrix.indptr[rows[order]]
    keep = rank < k
    return csr_matrix(
        (
            matrix.data[keep],
            matrix.indices[keep],
            np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=matrix.shape[0]))],
        ),
        shape=matrix.shape,
    )


class NeighbourIndex:
    """Unit-length rows of labelled messages, searched for each query's nearest ones."""

    def __init__(
        self,
        vectors: csr_matrix,
        *,
        max_df: float = 0.02,
        min_common: int = 50,
        query_terms: int = 40,
        candidates: int = 30,
    ) -> None:
        self.vectors = vectors.tocsr().astype(np.float32)
        n_docs, n_terms = self.vectors.shape
        doc_freq = np.bincount(self.vectors.indices, minlength=n_terms)
        self.distinctive = (doc_freq <= max(max_df * n_docs, min_common)).astype(np.float32)
        self.postings = (self.vectors @ diags(self.distinctive)).T.tocsr()
        self.query_terms = query_terms
        self.candidates = candidates

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def search(
        self, queries: csr_matrix, k: int, exact: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """(positions, similarities), each of shape (queries, k), best first; position -1 (and
        similarity 0) where fewer than k labelled messages share a distinctive term.

        Similarities count the distinctive terms only, unless `exact`: then the candidates
        found are scored by their cosine over all terms (what a person is shown)."""
        queries = queries.tocsr().astype(np.float32)
        n = queries.shape[0]
        pruned = top_per_row(queries @ diags(self.distinctive), self.query_terms)
        scored = (pruned @ self.postings).tocsr()
        if exact:
            scored = top_per_row(scored, self.candidates)
            rows = np.repeat(np.arange(n), np.diff(scored.indptr))
            cosine = queries[rows].multiply(self.vectors[scored.indices]).sum(axis=1)
            scored = csr_matrix(
                (np.asarray(cosine).ravel(), scored.indices, scored.indptr), shape=scored.shape
            )
        best = top_per_row(scored, k)
        positions = np.full((n, k), -1, dtype=np.int64)
        similarities = np.zeros((n, k), dtype=np.float32)
        rows = np.repeat(np.arange(n), np.diff(best.indptr))
        order = np.lexsort((-best.data, rows))
        slot = np.arange(len(order)) - best.indptr[rows[order]]
        positions[rows[order], slot] = best.indices[order]
        similarities[rows[order], slot] = best.data[order]
        return positions, similarities
