"""Government intranets have no internet: no page may load anything from another host."""

import re
from pathlib import Path

import taizhang

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_templates_load_nothing_from_other_hosts():
    templates = list(Path(taizhang.__file__).parent.rglob("templates/**/*.html"))
    assert templates
    offenders = [str(t) for t in templates if EXTERNAL.search(t.read_text("utf-8"))]
    assert offenders == []


def test_pages_render_only_local_assets(world, client):
    client.force_login(world.office)
    for url in ("/login/", f"/c/{world.campaign.slug}/", "/api/docs/"):
        page = client.get(url).content.decode()
        assert not EXTERNAL.search(page), url
