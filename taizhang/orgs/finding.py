"""A unit as a person types it in a search box or a filter: its code, its name, one of its
aliases, or its name shortened the usual way (尧都区发改局 for 尧都区发展和改革局)."""

from django.db.models import Q

from taizhang.orgs.models import Org
from taizhang.orgs.naming import short_form


def find_units(written: str, under: Org, limit: int = 10) -> list[Org]:
    """The units below `under` (itself included) that `written` names: one when it says which,
    several when it fits more than one, none when it fits none."""
    written = written.strip()
    if not written:
        return []
    units = Org.objects.filter(path__under=under.path)
    exact = list(units.filter(Q(code=written) | Q(name=written) | Q(aliases__name=written))[:limit])
    if exact:
        return list(dict.fromkeys(exact))
    key = short_form(written)
    # Short forms are worked out in Python, over the units whose name ends as the typed one.
    candidates = list(
        units.filter(name__endswith=written[-1]).only("id", "code", "name", "path", "depth")
    )
    same = [o for o in candidates if short_form(o.name) == key]
    if same:
        return same[:limit]
    ending = [o for o in candidates if short_form(o.name).endswith(key)]
    if ending:
        return sorted(ending, key=lambda o: (o.depth, o.code))[:limit]
    return list(units.filter(name__contains=written).order_by("depth", "code")[:limit])
