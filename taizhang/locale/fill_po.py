"""Fill locale/en/LC_MESSAGES/django.po from en.tsv (Chinese source string, tab, English).

Run after `django-admin makemessages -l en` (see docs/development.md); then compilemessages.
"""

import re
import sys
from pathlib import Path

HERE = Path(__file__).parent


def po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main() -> int:
    table = dict(
        line.split("\t", 1) for line in (HERE / "en.tsv").read_text("utf-8").splitlines() if line
    )
    po = HERE / "en" / "LC_MESSAGES" / "django.po"
    text = po.read_text("utf-8")
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match["id"]))
        if not msgid:
            return match[0]
        english = table.get(msgid.replace('\\"', '"'))
        if english is None:
            missing.append(msgid)
            return match[0]
        escaped = po_escape(english)
        if match["plural"]:
            return f'{match["head"]}msgstr[0] "{escaped}"\nmsgstr[1] "{escaped}"\n'
        return f'{match["head"]}msgstr "{escaped}"\n'

    pattern = re.compile(
        r'(?P<head>(?:#.*\n)*msgid (?P<id>(?:".*"\n)+)(?P<plural>msgid_plural (?:".*"\n)+)?)'
        r'(?:msgstr(?:\[\d\])? (?:".*"\n)+)+'
    )
    # msgmerge marks near-matches "fuzzy" (and compilemessages then skips them); every entry
    # here is filled from en.tsv, so drop those marks and the previous msgids they point to.
    text = re.sub(r"(?m)^#\| .*\n", "", text)
    text = re.sub(r"(?m)^#, fuzzy\n", "", text)
    text = re.sub(r"(?m)^(#,.*?), fuzzy", r"\1", text)
    text = re.sub(r"(?m)^#, fuzzy, ", "#, ", text)
    text = pattern.sub(fill, text)
    po.write_text(text, "utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
