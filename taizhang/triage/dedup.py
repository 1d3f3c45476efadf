"""Near-duplicate messages: MinHash signatures of character 3-grams, banded for lookup (LSH).

Two messages are duplicates when their 3-gram sets overlap by at least THRESHOLD (Jaccard) after
normalisation, which absorbs full/half width, traditional characters, punctuation, a few words
added or dropped, and clauses swapped. Banding finds the candidate pairs without comparing all
pairs; each candidate is then checked exactly.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from taizhang.core.text import compact_many

THRESHOLD = 0.5
PERMUTATIONS = 64
# 16 bands of 4 rows: a pair at Jaccard 0.5 shares a band with probability
# 1 - (1 - 0.5**4)**16 = 0.64,
# at 0.6 with 0.89, at 0.7 with 0.98.
BANDS = 16
ROWS = PERMUTATIONS // BANDS
_MASK32 = np.uint64(0xFFFFFFFF)
_BIN_BITS = 6  # 2**6 == PERMUTATIONS
# Fixed: keys stored in the database must not move between releases.
_rng = np.random.default_rng(20221015)
_BAND_MIX = _rng.integers(1, 2**61, size=ROWS, dtype=np.uint64) | np.uint64(1)


def shingles(text: str) -> np.ndarray:
    """The sorted distinct character 3-grams of a message's compact form, as integers."""
    return np.unique(shingle_lists([text])[0])


def shingle_lists(texts: Sequence[str]) -> list[np.ndarray]:
    """The 3-grams of each text in order, repeats included, for all texts in one go."""
    if not texts:
        return []
    # A message shorter than three characters still gets one 3-gram.
    forms = [c if len(c) >= 3 else c + "\1" * (3 - len(c)) for c in compact_many(texts)]
    codes = np.frombuffer(("\0".join(forms) + "\0").encode("utf-32-le"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    doc = np.cumsum(codes == 0)[:-2]  # the text each 3-gram starts in
    grams = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    inside = (codes[:-2] != 0) & (codes[1:-1] != 0) & (codes[2:] != 0)
    doc, grams = doc[inside], grams[inside]
    return np.split(grams, np.searchsorted(doc, np.arange(1, len(texts))))


def _mix(x: np.ndarray) -> np.ndarray:
    """Fold a 63-bit 3-gram into 32 well-spread bits (splitmix64's finaliser)."""
    x = x ^ (x >> np.uint64(31))
    x = x * np.uint64(0x7FB5D329728EA185)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x81DADEF4BC2DD44D)
    return (x ^ (x >> np.uint64(33))) & _MASK32


def signatures(sets: Sequence[np.ndarray]) -> np.ndarray:
    """PERMUTATIONS minima per 3-gram list, by one-permutation hashing.

    Each 3-gram is hashed once; the hash's top bits choose one of PERMUTATIONS bins and the rest
    competes for that bin's minimum. Two sets agree in a bin with probability close to their
    Jaccard similarity, as with classic MinHash, at a sixty-fourth of the cost. An empty bin
    borrows from the next filled one (rotation), so short texts still compare fairly.
    """
    n = len(sets)
    empty = np.uint32(0xFFFFFFFF)
    sig = np.full(n * PERMUTATIONS, empty, dtype=np.uint32)
    if n == 0:
        return sig.reshape(0, PERMUTATIONS)
    lengths = np.array([len(s) for s in sets])
    h = _mix(np.concatenate(sets))
    bins = (h >> np.uint64(32 - _BIN_BITS)).astype(np.int64)
    values = (h & np.uint64((1 << (32 - _BIN_BITS)) - 1)).astype(np.uint32)
    doc = np.repeat(np.arange(n), lengths)
    np.minimum.at(sig, doc * PERMUTATIONS + bins, values)
    sig = sig.reshape(n, PERMUTATIONS)  # type: ignore[assignment]  # numpy types the shape
    for step in range(1, PERMUTATIONS):
        holes = sig == empty
        if not holes.any():
            break
        borrowed = np.roll(sig, -step, axis=1)
        fill = holes & (borrowed != empty)
        sig[fill] = borrowed[fill] + np.uint32(step << (32 - _BIN_BITS))
    return sig


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """BANDS keys per signature (signed 64-bit, to store in a database column)."""
    rows = sigs.reshape(len(sigs), BANDS, ROWS).astype(np.uint64)
    keys = (rows * _BAND_MIX).sum(axis=2, dtype=np.uint64)
    # The band number lives in the low bits, so equal rows in two bands never meet.
    keys = (keys << np.uint64(4)) | np.arange(BANDS, dtype=np.uint64)
    return keys.view(np.int64)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct 3-grams."""
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common) if common else 0.0


def candidate_pairs(keys: np.ndarray, max_bucket: int = 200) -> np.ndarray:
    """Pairs (i < j) that share at least one band key. Huge buckets (empty texts) are skipped."""
    flat = keys.ravel()
    doc = np.repeat(np.arange(len(keys)), keys.shape[1])
    order = np.argsort(flat, kind="stable")
    flat, doc = flat[order], doc[order]
    bounds = np.flatnonzero(np.diff(flat)) + 1
    pairs: set[tuple[int, int]] = set()
    for group in np.split(doc, bounds):
        if 1 < len(group) <= max_bucket:
            g = group.tolist()
            for x in range(len(g)):
                for y in range(x + 1, len(g)):
                    pairs.add((g[x], g[y]) if g[x] < g[y] else (g[y], g[x]))
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


@dataclass
class Duplicates:
    pairs: list[tuple[int, int, float]]  # (i, j, Jaccard) for every duplicate pair found
    clusters: list[list[int]]  # groups of two or more, largest first


def find_duplicates(
    texts: Sequence[str],
    threshold: float = THRESHOLD,
    progress: Callable[[int, int], None] | None = None,
) -> Duplicates:
    lists = shingle_lists(texts)
    if progress:
        progress(1, 4)
    keys = band_keys(signatures(lists))
    if progress:
        progress(2, 4)
    found = []
    sets: dict[int, np.ndarray] = {}

    def distinct(i: int) -> np.ndarray:
        if i not in sets:
            sets[i] = np.unique(lists[i])
        return sets[i]

    for i, j in candidate_pairs(keys).tolist():
        score = jaccard(distinct(i), distinct(j))
        if score >= threshold:
            found.append((i, j, score))
    if progress:
        progress(3, 4)
    clusters = connected_groups(len(texts), [(i, j) for i, j, _ in found])
    if progress:
        progress(4, 4)
    return Duplicates(found, clusters)


def connected_groups(n: int, edges: Sequence[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(root(x), []).append(x)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
