"""Settings whose every change is audited with its before and after values: the apps that own
them register their models here (`track`), so a change made on a page, in the admin or by a
service is logged the same way. Bulk writes bypass model signals: their services record
themselves (`record_setting`)."""

import contextlib
import contextvars
import json
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from taizhang.audit.models import AuditKind
from taizhang.audit.services import record

_OLD = "_audit_before"
# Inside a service that records one summary for a bulk change, its rows are not each recorded.
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_quiet", default=False)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def values_of(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    raw = {name: getattr(instance, name) for name in names}
    return json.loads(json.dumps(raw, cls=DjangoJSONEncoder, ensure_ascii=False))


def record_setting(label: str, target: str, before: Any, after: Any) -> None:
    if before == after:
        return
    verb = "新增" if before is None else "删除" if after is None else "修改"
    record(
        AuditKind.SETTING,
        f"{verb}{label}:{target}",
        target=f"{label}:{target}"[:255],
        detail={"before": before, "after": after},
    )


def track(model: type[models.Model], label: str, fields: list[str] | None = None) -> None:
    """Audit every save and delete of `model` (only `fields`, if given)."""
    uid = f"audit-{model._meta.label_lower}"

    def before(sender: Any, instance: models.Model, raw: bool = False, **kw: Any) -> None:
        if raw or instance.pk is None or _quiet.get():
            return
        stored = sender._default_manager.filter(pk=instance.pk).first()
        setattr(instance, _OLD, values_of(stored, fields) if stored is not None else None)

    def after(sender: Any, instance: models.Model, created: bool, raw: bool = False,
              **kw: Any) -> None:  # fmt: skip
        if raw or _quiet.get():
            return
        old = None if created else getattr(instance, _OLD, None)
        new = values_of(instance, fields)
        if old is not None:
            changed = {k for k in new if old.get(k) != new[k]}
            old = {k: old.get(k) for k in sorted(changed)}
            new = {k: new[k] for k in sorted(changed)}
        record_setting(label, str(instance), old, new)

    def removed(sender: Any, instance: models.Model, **kw: Any) -> None:
        if not _quiet.get():
            record_setting(label, str(instance), values_of(instance, fields), None)

    pre_save.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}-pre")
    post_save.connect(after, sender=model, weak=False, dispatch_uid=f"{uid}-post")
    post_delete.connect(removed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
