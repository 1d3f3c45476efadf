"""Writing the security audit log. An entry joins the transaction it is written in: a role
grant that is rolled back leaves no entry, and one that commits cannot lose its entry."""

from typing import Any

from django.utils import timezone

from taizhang.audit.context import Actor, acting_as, actor_of, current_actor
from taizhang.audit.models import AuditEntry, AuditKind

__all__ = ["Actor", "acting_as", "actor_of", "current_actor", "record"]


def record(
    kind: AuditKind | str,
    summary: str,
    *,
    target: str = "",
    detail: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEntry:
    who = actor or current_actor()
    if actor is not None and actor.ip is None:
        who = Actor(actor.id, actor.name, current_actor().ip)
    entry = AuditEntry(
        at=timezone.now(),
        kind=kind,
        actor_id=who.id,
        actor=who.name[:150],
        ip=who.ip or None,
        target=target[:255],
        summary=summary,
        detail=detail or {},
    )
    entry.save()
    return entry


def record_export(what: str, *, rows: int, query: str = "", fmt: str = "") -> AuditEntry:
    """An export written for a person: what, in which format, under which filter, how many rows."""
    return record(
        AuditKind.EXPORT,
        f"导出{what}({fmt},{rows} 行)" if fmt else f"导出{what}({rows} 行)",
        target=what,
        detail={"rows": rows, "filter": query, "format": fmt},
    )


def record_download(what: str, name: str) -> AuditEntry:
    return record(AuditKind.DOWNLOAD, f"下载{what}:{name}", target=name, detail={"what": what})
