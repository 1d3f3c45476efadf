"""Hot topics: what many people raise, grouped by subject and ranked by how many care.

Messages about the same matter (one housing estate's parking, one mixing plant's noise) share the
specific words that name it. Messages are linked when their word TF-IDF vectors are close, each
linked group is split by average linkage so that chains of loosely related messages do not merge
distinct matters, and groups are ranked by distinct citizens, votes and recency.
"""

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from taizhang.triage.classify import prepare
from taizhang.triage.dedup import connected_groups
from taizhang.triage.features import WordTfidf

LINK = 0.35  # cosine similarity that links two messages
KEEP_TOGETHER = 0.15  # average similarity a group must keep when it is split
LIKES_WEIGHT = 3.0  # one topic point per e-fold of votes, times this
HALF_LIFE_DAYS = 180.0


@dataclass
class Message:
    id: str
    title: str
    text: str
    user: str = ""
    likes: int = 0
    at: dt.datetime | None = None


@dataclass
class Topic:
    rank: int
    title: str  # the most central message's title (or the start of its text)
    message_ids: list[str]
    users: int  # distinct citizens (messages without a user count one each)
    likes: int  # per citizen, the votes of their best-voted message in the topic
    first: dt.datetime | None
    last: dt.datetime | None
    score: float
    members: list[int] = field(default_factory=list, repr=False)

    @property
    def size(self) -> int:
        return len(self.message_ids)


def group_messages(
    messages: Sequence[Message], progress: Callable[[int, int], None] | None = None
) -> list[list[int]]:
    """Groups of message indexes about the same matter (singletons included)."""
    if not messages:
        return []
    x = WordTfidf().fit_transform([prepare(m.title, m.text) for m in messages])
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    step = 2000
    for start in range(0, len(messages), step):
        block = (x[start : start + step] @ x.T).tocoo()
        keep = (block.data >= LINK) & (block.row + start < block.col)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
        if progress:
            progress(min(start + step, len(messages)), len(messages) * 2)
    edges = list(zip(np.concatenate(rows).tolist(), np.concatenate(cols).tolist(), strict=True))
    linked = set()
    groups: list[list[int]] = []
    for component in connected_groups(len(messages), edges):
        linked.update(component)
        groups.extend(_split(component, x))
    groups.extend([i] for i in range(len(messages)) if i not in linked)
    if progress:
        progress(len(messages) * 2, len(messages) * 2)
    return groups


def _split(component: list[int], x: object) -> list[list[int]]:
    if len(component) <= 2:
        return [component]
    sub = x[component]  # type: ignore[index]
    distance = np.clip(1.0 - (sub @ sub.T).toarray(), 0.0, None)
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(
        linkage(squareform(distance, checks=False), method="average"),
        t=1.0 - KEEP_TOGETHER,
        criterion="distance",
    )
    parts: dict[int, list[int]] = {}
    for index, label in zip(component, labels, strict=True):
        parts.setdefault(int(label), []).append(index)
    return list(parts.values())


def _central(members: list[int], messages: Sequence[Message]) -> int:
    if len(members) <= 2:
        return max(members, key=lambda i: (messages[i].likes, -i))
    x = WordTfidf().fit_transform([prepare(messages[i].title, messages[i].text) for i in members])
    return members[int(np.asarray((x @ x.T).sum(axis=1)).ravel().argmax())]


def hot_topics(
    messages: Sequence[Message],
    top: int = 10,
    now: dt.datetime | None = None,
    groups: list[list[int]] | None = None,
) -> list[Topic]:
    """The top groups by heat: distinct citizens + LIKES_WEIGHT·ln(1 + votes), with a recency
    factor between ½ (long quiet) and 1 (active now), half-life HALF_LIFE_DAYS."""
    if groups is None:
        groups = group_messages(messages)
    times = [m.at for m in messages if m.at]
    now = now or (max(times) if times else None)
    ranked = []
    for members in groups:
        # One citizen posting the same thing many times counts once, and so do the votes of
        # the people who agree with them: the best-voted of their posts stands for all.
        by_user: dict[str, int] = {}
        for i in members:
            who = messages[i].user or f"#{i}"
            by_user[who] = max(by_user.get(who, 0), max(0, messages[i].likes))
        users = len(by_user)
        likes = sum(by_user.values())
        when = [at for i in members if (at := messages[i].at) is not None]
        last = max(when) if when else None
        recency = 1.0
        if now and last:
            age = max(0.0, (now - last).total_seconds() / 86400)
            recency = 0.5 + 0.5 * 0.5 ** (age / HALF_LIFE_DAYS)
        score = (users + LIKES_WEIGHT * math.log1p(likes)) * recency
        ranked.append((score, members, users, likes, min(when) if when else None, last))
    ranked.sort(key=lambda r: (-r[0], r[1][0]))
    topics = []
    for rank, (score, members, users, likes, first, last) in enumerate(ranked[:top], start=1):
        centre = messages[_central(members, messages)]
        topics.append(
            Topic(
                rank=rank,
                title=centre.title or centre.text[:40],
                message_ids=[messages[i].id for i in sorted(members)],
                users=users,
                likes=likes,
                first=first,
                last=last,
                score=round(score, 2),
                members=sorted(members),
            )
        )
    return topics
