"""A unit as a person types it in a search box or a filter: its code, its name, one of its
aliases, or its name shortened the usual way (尧都区发改局 for 尧都区发展和改革局)."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from taizhang.orgs.models import Org
from taizhang.orgs.naming import short_form

PICKED = re.compile(r"^.+[(\uff08](?P<code>[0-9A-Za-z]+)[)\uff09]$")


def find_units(written: str, under: Org, limit: int = 10) -> list[Org]:
    """The units below `under` (itself included) that `written` names: one when it says which,
    several when it fits more than one, none when it fits none."""
    written = written.strip()
    if not written:
        return []
    units = Org.objects.filter(path__under=under.path)
    picked = PICKED.match(written)
    if picked:  # what the unit picker fills in: 尧都区发改局(141002801)
        by_code = list(units.filter(code=picked["code"])[:1])
        if by_code:
            return by_code
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


def resolve_unit(written: str, under: Org) -> Org:
    """The one unit `written` names below `under`, or a ValidationError that says why not (in
    the words a person typed: none fits, or which several do)."""
    found = find_units(written, under)
    if len(found) > 1:
        listed = "、".join(f"{o.name}({o.code})" for o in found[:5])
        raise ValidationError(_("“%(w)s”可能是:%(l)s,请选择一个。") % {"w": written, "l": listed})
    if not found:
        raise ValidationError(_("找不到单位“%(w)s”。") % {"w": written})
    return found[0]


def search_units(typed: str, under: Org, limit: int = 15) -> list[Org]:
    """Units for a type-ahead: those `typed` names, then those whose name, alias or code holds
    it, the higher ones first."""
    typed = typed.strip()
    if not typed:
        return []
    named = find_units(typed, under, limit)
    units = Org.objects.filter(path__under=under.path)
    holding = (
        units.filter(
            Q(name__contains=typed) | Q(code__startswith=typed) | Q(aliases__name__contains=typed)
        )
        .distinct()
        .order_by("depth", "code")[:limit]
    )
    return list(dict.fromkeys([*named, *holding]))[:limit]
