"""Unit names as offices write them: 尧都区发改局 for 尧都区发展和改革局, 区人社局 for the county's
own 人力资源和社会保障局, 临汾市尧都区 for 尧都区. `short_form` gives every spelling of one name the
same key; a lookup indexes the units by it."""

import re

# The short forms every office uses, longest first: 发展和改革委员会 → 发改委, not 发改委员会.
ABBREVIATIONS = [
    ("人力资源和社会保障", "人社"),
    ("行政审批服务管理", "行政审批"),
    ("住房和城乡建设", "住建"),
    ("发展和改革", "发改"),
    ("工业和信息化", "工信"),
    ("市场监督管理", "市场监管"),
    ("文化和旅游", "文旅"),
    ("卫生健康", "卫健"),
    ("退役军人事务", "退役军人"),
    ("交通运输", "交通"),
    ("应急管理", "应急"),
    ("医疗保障", "医保"),
    ("规划和自然资源", "规划自然资源"),
    ("促进外来投资", "投促"),
    ("委员会", "委"),
    ("办公室", "办"),
]
_NOISE = re.compile(r"[\s\u3000()\uff08\uff09\u3010\u3011\[\]\u00b7\u2022\u3001,\uff0c]")
# "A（牵头）、B（配合）": the marks that say which unit leads and which co-operate.
LEAD_MARKS = ("牵头", "主办", "主责", "牵头单位")
HELP_MARKS = ("配合", "协办", "参与", "配合单位", "协助")
_MARKED = re.compile(r"^(?P<name>.+?)[(\uff08](?P<mark>[^()\uff08\uff09]+)[)\uff09]$")
_SEPARATORS = re.compile(r"[\u3001,\uff0c;\uff1b/\s]+")


def short_form(name: str) -> str:
    """The key a unit's name is matched by: abbreviations applied, spaces and brackets gone."""
    key = _NOISE.sub("", name)
    for long, short in ABBREVIATIONS:
        key = key.replace(long, short)
    return key


def without_prefix(name: str, prefixes: list[str]) -> str:
    """临汾市尧都区发改局 → 尧都区发改局 when 临汾市 is the campaign's city (longest first)."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        if prefix and name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def unit_names(written: str) -> list[str]:
    """Every unit a cell or box names, the lead (if marked) first: "A、B(牵头)" → ["B", "A"]."""
    lead, more = split_units(written or "")
    return [name for name in [lead, *more] if name]


def split_units(written: str) -> tuple[str, list[str]]:
    """ "A（牵头）、B（配合）" → ("A", ["B"]); "A、B" → ("A", ["B"]); one name → (name, [])."""
    parts = [p for p in _SEPARATORS.split(written.strip()) if p]
    if len(parts) <= 1:
        marked = _MARKED.match(written.strip())
        return (marked["name"] if marked else written.strip()), []
    lead, helpers = "", []
    for part in parts:
        marked = _MARKED.match(part)
        name, mark = (marked["name"], marked["mark"]) if marked else (part, "")
        if mark in LEAD_MARKS and not lead:
            lead = name
        else:
            helpers.append(name)
    if not lead:
        lead = helpers.pop(0)
    return lead, helpers
