"""English is complete: every user-facing string has a translation that is compiled."""

import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

import taizhang

PO = Path(taizhang.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_has_no_fuzzy_or_empty_entries():
    text = PO.read_text("utf-8")
    assert "#, fuzzy" not in text
    entries = re.findall(r'\nmsgid "(.+)"\n(?:msgid_plural ".*"\n)?msgstr(?:\[0\])? "(.*)"', text)
    assert entries
    assert [msgid for msgid, msgstr in entries if not msgstr] == []


def test_public_page_in_english(world):
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("public_submit", args=[world.campaign.slug])).content.decode()
    assert "Make a suggestion" in page and "我要提意见建议" not in page
