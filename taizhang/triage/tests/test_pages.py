from django.urls import reverse

from taizhang.core import receipts
from taizhang.triage import services
from taizhang.triage.models import Decision, Proposal, Run, RunKind, RunStatus, Target
from taizhang.triage.tests.test_engine import LAMP, LAMP_VARIANTS, OTHER
from taizhang.triage.tests.test_services import submit


def test_the_detail_page_shows_duplicates_and_the_proposal(world, client):
    world.area2.keywords = "路灯"
    world.area2.save()
    first = submit(world, LAMP, title="路灯坏了")
    copy = submit(world, LAMP_VARIANTS[1])
    client.force_login(world.office)
    page = client.get(reverse("suggestion_detail", args=[copy.pk])).content.decode()
    assert receipts.display(first.receipt_code) in page
    assert "合并为其重复" in page and "<mark>" in page
    assert "建议领域" in page and world.area2.name in page and "关键词" in page
    # One click merges it.
    client.post(
        reverse("suggestion_triage", args=[copy.pk]),
        {"version": copy.version, "action": "duplicate", "duplicate_of": first.receipt_code},
    )
    copy.refresh_from_db()
    assert copy.duplicate_of == first


def test_staff_confirm_or_correct_the_area(world, client):
    world.area2.keywords = "路灯"
    world.area2.save()
    s = submit(world, LAMP)
    client.force_login(world.office)
    client.post(
        reverse("triage_decide", args=[s.pk]), {"version": s.version, "focus_area": world.area.pk}
    )
    s.refresh_from_db()
    assert s.focus_area == world.area
    assert Proposal.objects.get(suggestion=s).decision == Decision.CORRECTED


def test_hot_topics_run_from_the_page(world, client, django_capture_on_commit_callbacks):
    for i, text in enumerate([LAMP, *LAMP_VARIANTS]):
        submit(world, text, title="路灯坏了", phone=f"1380000000{i}")
    for text in OTHER:
        submit(world, text)
    client.force_login(world.office)
    url = reverse("triage_overview", args=[world.campaign.slug])
    assert "还没有计算结果" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("triage_start", args=[world.campaign.slug]), {"kind": "topics"})
    run = Run.objects.get(kind=RunKind.TOPICS)
    assert run.status == RunStatus.DONE
    status = client.get(reverse("triage_run", args=[world.campaign.slug, run.pk])).json()
    assert status == {
        "status": "done",
        "status_display": "已完成",
        "percent": 100,
        "active": False,
        "message": run.message,
    }
    page = client.get(url).content.decode()
    assert "路灯坏了" in page
    top = run.clusters.get(rank=1)
    members = client.get(reverse("triage_cluster", args=[world.campaign.slug, top.pk]))
    assert members.content.decode().count("/suggestions/") >= 5


def test_a_queued_run_can_be_cancelled(world, client):
    client.force_login(world.office)
    client.post(reverse("triage_start", args=[world.campaign.slug]), {"kind": "duplicates"})
    run = Run.objects.get()
    assert run.status == RunStatus.QUEUED  # the worker has not taken it (no commit in a test)
    page = client.get(reverse("triage_overview", args=[world.campaign.slug])).content.decode()
    assert "data-run=" in page and "<progress" in page
    client.post(reverse("triage_cancel", args=[world.campaign.slug, run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED


def test_keywords_are_edited_on_the_settings_page(world, client):
    client.force_login(world.office)
    url = reverse("triage_settings", args=[world.campaign.slug])
    assert "还没有训练模型" in client.get(url).content.decode()
    client.post(url, {f"keywords-{world.area.pk}": "营业执照\n审批"})
    world.area.refresh_from_db()
    assert world.area.keywords == "营业执照\n审批"


def test_only_the_office_sees_triage(world, client):
    client.force_login(world.operator)
    assert client.get(reverse("triage_overview", args=[world.campaign.slug])).status_code == 403
    assert client.get(reverse("triage_settings", args=[world.campaign.slug])).status_code == 403
    page = client.get(reverse("suggestion_queue", args=[world.campaign.slug])).content.decode()
    assert reverse("triage_overview", args=[world.campaign.slug]) not in page


def test_similar_problems_show_while_recording(world, client):
    from taizhang.testing import record

    record(world, title="政务大厅窗口少排队时间长", description="办事群众反映排队要两个小时")
    record(world, title="学校食堂价格高")
    client.force_login(world.handler_a1)
    url = reverse("similar_problems", args=[world.campaign.slug])
    found = client.get(url, {"title": "政务大厅窗口太少,排队时间长", "org": world.dept_a1.code})
    assert "政务大厅窗口少排队时间长" in found.content.decode()
    assert "学校食堂" not in found.content.decode()
    # Another county's handler sees nothing of 尧都区's ledger.
    client.force_login(world.handler_b1)
    assert "政务大厅" not in client.get(url, {"title": "政务大厅窗口太少"}).content.decode()
    form = client.get(reverse("problem_create", args=[world.campaign.slug])).content.decode()
    assert 'id="similar"' in form and "similar.js" in form


def test_route_like_a_precedent_in_one_click_and_in_the_api(world, client):
    from taizhang.triage.tests.test_services import _routed

    _routed(world)
    services.train(world.campaign, Target.AREA, by=world.office)
    new = submit(world, "营业执照审批太慢,企业办事难,跑了好几趟")
    client.force_login(world.office)
    page = client.get(reverse("suggestion_detail", args=[new.pk])).content.decode()
    section = page[page.index('id="precedents"') :]
    assert section.count('class="precedent"') == 5 and "尧都区发改局" in section
    assert "照此分办" in section and 'id="agreement"' in page
    client.post(
        reverse("suggestion_triage", args=[new.pk]),
        {
            "version": new.version,
            "action": "convert",
            "org_code": world.dept_a1.code,
            "focus_area": world.area.pk,
            "kind": "deadline",
        },
    )  # fmt: skip: what the button posts
    new.refresh_from_db()
    problem = new.problems.get()
    assert problem.org == world.dept_a1 and problem.focus_area == world.area
    other = submit(world, "营业执照审批太慢,企业办事难")
    hints = client.get(reverse("api_suggestion_hints", args=[other.pk])).json()
    assert len(hints["precedents"]) == 5
    assert {p["org_code"] for p in hints["precedents"]} == {world.dept_a1.code}
    assert hints["precedents"][0]["area"] == world.area.pk
    assert hints["proposal"]["area_agreed"] is True


def test_the_office_lets_earlier_campaigns_lend_precedents(world, client):
    url = reverse("triage_settings", args=[world.campaign.slug])
    client.force_login(world.operator)
    assert client.post(url, {"precedents": "earlier"}).status_code == 403
    client.force_login(world.office)
    assert 'id="precedent-settings"' in client.get(url).content.decode()
    client.post(url, {"precedents": "earlier"})
    world.campaign.refresh_from_db()
    assert world.campaign.rule("precedents_from_earlier") is True
    assert world.campaign.rules["second_factor_roles"] == []  # the other rules are kept
    client.post(url, {"precedents": "this"})
    world.campaign.refresh_from_db()
    assert world.campaign.rule("precedents_from_earlier") is False
