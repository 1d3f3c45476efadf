"""Near-duplicate test data for bench/triage.py: real messages, perturbed the ways people do.

Each family is one real message and its variants; every pair inside a family is a duplicate and
no pair across families is (up to the few real duplicates the source files already hold).
"""

import csv
import random
from functools import cache
from importlib import resources
from pathlib import Path

PUNCT = "，。！？、；：,.!? "


@cache
def simplified_to_traditional() -> dict[int, str]:
    text = resources.files("opencc").joinpath("dictionary/STCharacters.txt").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        s, _, t = line.partition("\t")
        if len(s) == 1 and t:
            table[ord(s)] = t.split()[0]
    return table


def read_messages(data: Path) -> list[str]:
    seen, out = set(), []
    for name in ("messages_likes.csv", "messages_replies.csv", "messages_labeled.csv"):
        with open(data / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = f"{row.get('留言主题') or ''}。{row['留言详情']}".strip("。")
                if len(text) >= 20 and text not in seen:
                    seen.add(text)
                    out.append(text)
    return out


def distinct_originals(texts: list[str], below: float = 0.3) -> list[str]:
    """Drop every message whose 3-gram Jaccard with an earlier kept one reaches `below`.

    The source files hold real duplicates (the same citizen writing twice); left in, they would
    count as false positives. This check is exact (all pairs, by sparse matrix products), so it
    does not depend on the method being measured.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    from taizhang.triage.dedup import shingle_lists

    sets = [np.unique(s) for s in shingle_lists(texts)]
    vocab, cols = np.unique(np.concatenate(sets), return_inverse=True)
    rows = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    x = csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(sets), len(vocab))
    )
    sizes = np.array([len(s) for s in sets], dtype=np.float32)
    dropped = np.zeros(len(sets), dtype=bool)
    for start in range(0, len(sets), 1000):
        inter = (x[start : start + 1000] @ x.T).toarray()
        union = sizes[start : start + 1000, None] + sizes[None, :] - inter
        similar = inter / np.maximum(union, 1) >= below
        for k in range(similar.shape[0]):
            i = start + k
            if not dropped[i]:
                later = np.flatnonzero(similar[k, i + 1 :]) + i + 1
                dropped[later] = True
    return [t for t, d in zip(texts, dropped, strict=True) if not d]


def perturb(text: str, rng: random.Random) -> str:
    ops = rng.sample(
        ["insert", "delete", "punct", "traditional", "swap", "width"], k=rng.randint(1, 3)
    )
    chars = list(text)
    for op in ops:
        if op == "insert":  # a few words added
            for _ in range(rng.randint(1, 3)):
                chars[rng.randrange(len(chars) + 1) : 0] = list(
                    rng.choice(
                        [
                            "请尽快处理",
                            "谢谢",
                            "急急急",
                            "希望领导重视",
                            "再次反映",
                            "已经很久了",
                            "！！",
                        ]
                    )
                )
        elif op == "delete":  # a few characters dropped
            for _ in range(max(1, len(chars) // 30)):
                if len(chars) > 10:
                    del chars[rng.randrange(len(chars))]
        elif op == "punct":
            chars = [
                rng.choice(PUNCT) if c in PUNCT else c
                for c in chars
                if c not in PUNCT or rng.random() > 0.3
            ]
        elif op == "traditional":
            chars = list("".join(chars).translate(simplified_to_traditional()))
        elif op == "width":
            chars = [chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in chars]
        elif op == "swap":  # two clauses change places
            text_now = "".join(chars)
            parts = [p for p in text_now.replace("。", "，").split("，") if p]
            if len(parts) >= 2:
                i, j = rng.sample(range(len(parts)), 2)
                parts[i], parts[j] = parts[j], parts[i]
            chars = list("，".join(parts))
    return "".join(chars)


def families(data: Path, total: int, seed: int = 7) -> tuple[list[str], list[int]]:
    """total messages in families of one real message and 0 to 2·k variants (k fills the total)."""
    rng = random.Random(seed)
    originals = distinct_originals(read_messages(data))
    rng.shuffle(originals)
    mean_copies = max(0, round(total / len(originals)) - 1)
    texts: list[str] = []
    family: list[int] = []
    f = 0
    while len(texts) < total:
        base = originals[f % len(originals)]
        copies = rng.randint(0, 2 * mean_copies)
        for text in [base] + [perturb(base, rng) for _ in range(copies)]:
            texts.append(text)
            family.append(f)
        f += 1
    return texts[:total], family[:total]
