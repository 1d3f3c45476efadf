"""What each kind of entry is made from. The apps above register their kinds when they start
(`AppConfig.ready`): the index knows nothing of problems or suggestions."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from taizhang.search.tokens import Document


@dataclass(frozen=True)
class Source:
    kind: str
    # The entries of these objects; an object missing from the answer no longer exists.
    documents: Callable[[Sequence[int]], list[Document]]
    # Every object's id (of one campaign, or all), for a rebuild.
    ids: Callable[[int | None], Iterable[int]]


SOURCES: dict[str, Source] = {}


def ids_of(objects: QuerySet[Any], campaign_id: int | None) -> Iterable[int]:
    """The ids of these objects (of one campaign), in order, read a chunk at a time."""
    if campaign_id is not None:
        objects = objects.filter(campaign_id=campaign_id)
    return objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)


def register(source: Source) -> None:
    SOURCES[source.kind] = source


def scope_token(path_code: str) -> str:
    """A unit's code as the index stores it: hex, so that no code's punctuation splits it."""
    return "o" + path_code.encode().hex()


def scope_tokens(*paths: str) -> set[str]:
    """Every unit on these paths (/141000/141002/): whoever holds a role at one of them may
    find the entry."""
    return {scope_token(code) for path in paths for code in path.strip("/").split("/") if code}
