"""The main pages checked by axe-core (WCAG 2 A and AA) in a real Chromium, with the skip link,
the large-type mode and the contrast that Chinese government sites are expected to have
(适老化, since 2021)."""

from pathlib import Path

import pytest

from taizhang.ledger.tests.test_browser import login
from taizhang.testing import BROWSER_MARKS, record

pytestmark = BROWSER_MARKS


def axe_violations(page) -> list[str]:
    import axe_playwright_python

    source = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    page.evaluate(source)  # through the browser's debugger, not as a page script: CSP holds
    found = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {n['target']}"
        for v in found["violations"]
        for n in v["nodes"][:3]
    ]


@pytest.mark.django_db(transaction=True)
def test_the_main_pages_pass_axe(world, live_server, browser_page):
    problem = record(world, title="窗口排队时间长", measures=["增设窗口"])
    page, base = browser_page, live_server.url
    slug = world.campaign.slug
    page.goto(f"{base}/s/{slug}/")
    problems = {"public form": axe_violations(page)}
    page.goto(f"{base}/login/")
    problems["login"] = axe_violations(page)
    login(page, base, "office")
    for name, path in [
        ("overview", f"/c/{slug}/"),
        ("ledger", f"/c/{slug}/problems/"),
        ("problem", f"/problems/{problem.pk}/"),
        ("suggestions", f"/c/{slug}/suggestions/"),
        ("ranking", f"/c/{slug}/ranking/"),
    ]:
        page.goto(base + path)
        problems[name] = axe_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}


@pytest.mark.django_db(transaction=True)
def test_a_skip_link_and_a_large_type_mode_on_every_page(world, live_server, browser_page):
    page, base = browser_page, live_server.url
    login(page, base, "handler_a1")
    page.goto(f"{base}/c/{world.campaign.slug}/problems/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("#large-type")
    page.goto(f"{base}/c/{world.campaign.slug}/")  # it holds on the next page, without script
    assert page.evaluate("document.documentElement.className") == "large"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= normal + 3
    assert axe_violations(page) == []
    page.click("#large-type")
    assert page.evaluate("document.documentElement.className") == ""
