"""The web pages: scoping on every lookup, forms that call the services, clear messages."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from taizhang.ledger import services
from taizhang.ledger.models import Evidence, Problem, Status
from taizhang.testing import PDF, record


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login(world):
    response = Client().get(reverse("problem_list", args=[world.campaign.slug]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_overview_list_and_detail_render_in_chinese(world):
    problem = record(world)
    client = client_for(world.office)
    overview = client.get(reverse("campaign_overview", args=[world.campaign.slug]))
    assert overview.status_code == 200
    assert "整改率" in overview.content.decode()
    listing = client.get(reverse("problem_list", args=[world.campaign.slug]))
    assert problem.number in listing.content.decode()
    detail = client.get(reverse("problem_detail", args=[problem.pk]))
    assert "办理记录" in detail.content.decode()
    overdue = client.get(reverse("problem_list", args=[world.campaign.slug]) + "?figure=overdue")
    assert "统计口径: 逾期" in overdue.content.decode()


def test_english_through_the_language_switch(world):
    client = client_for(world.office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("problem_list", args=[world.campaign.slug])).content.decode()
    assert "Ledger" in page
    # The browser's language alone does not switch a Chinese-first product.
    other = client_for(world.office)
    page = other.get(
        reverse("problem_list", args=[world.campaign.slug]), HTTP_ACCEPT_LANGUAGE="en-US"
    ).content.decode()
    assert "问题台账" in page


def test_out_of_scope_problem_is_not_found(world):
    problem = record(world)
    assert (
        client_for(world.handler_b1).get(reverse("problem_detail", args=[problem.pk])).status_code
        == 404
    )
    response = client_for(world.handler_b1).post(
        reverse("problem_action", args=[problem.pk, "void"]),
        {"version": problem.version, "reason": "x"},
    )
    assert response.status_code == 404
    assert Problem.objects.get(pk=problem.pk).status == Status.RECTIFYING


def test_handler_records_a_problem_through_the_form(world):
    client = client_for(world.handler_a1)
    url = reverse("problem_create", args=[world.campaign.slug])
    response = client.post(
        url,
        {
            "title": "窗口排队时间长",
            "focus_area": world.area.pk,
            "org_code": "141002801",
            "kind": "immediate",
            "source": "self_found",
            "measures": "增设窗口\n推行预约",
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get(title="窗口排队时间长")
    assert problem.measures.count() == 2 and problem.status == Status.RECTIFYING
    bad = client.post(
        url,
        {
            "title": "",
            "focus_area": world.area.pk,
            "org_code": "999",
            "kind": "immediate",
            "source": "self_found",
        },
    )
    assert bad.status_code == 400
    assert "该字段是必填项" in bad.content.decode()


def test_stale_form_shows_a_conflict_and_keeps_the_first_change(world):
    problem = record(world)
    stale_version = problem.version
    services.update_problem(problem, by=world.admin_a, version=problem.version, title="新标题")
    client = client_for(world.handler_a1)
    response = client.post(
        reverse("problem_action", args=[problem.pk, "apply"]),
        {"version": stale_version, "reason": "已整改"},
        follow=True,
    )
    assert "已被他人修改" in response.content.decode()
    problem.refresh_from_db()
    assert (problem.status, problem.title) == (Status.RECTIFYING, "新标题")


def test_evidence_upload_and_scoped_download(world):
    problem = record(world)
    client = client_for(world.handler_a1)
    upload = io.BytesIO(PDF)
    upload.name = "整改报告.pdf"
    client.post(reverse("problem_upload_evidence", args=[problem.pk]), {"file": upload})
    evidence = Evidence.objects.get()
    url = reverse("problem_evidence", args=[problem.pk, evidence.pk])
    response = client_for(world.leader_a).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for(world.handler_b1).get(url).status_code == 404
    disguised = io.BytesIO(b"MZ" + b"\x00" * 100)
    disguised.name = "photo.jpg"
    page = client.post(
        reverse("problem_upload_evidence", args=[problem.pk]), {"file": disguised}, follow=True
    ).content.decode()
    assert "改了扩展名" in page and Evidence.objects.count() == 1


def test_bad_filter_values_are_reported(world):
    client = client_for(world.office)
    response = client.get(reverse("problem_list", args=[world.campaign.slug]) + "?status=bogus")
    assert response.status_code == 400
    assert "无效" in response.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_list_page_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries, rows):
    for i in range(rows):
        record(world, title=f"问题{i}")
    client = client_for(world.office)
    # The list, the header (scope, unread messages) and, once a minute, the 待办 count (with
    # the project stages waiting for the office).
    with django_assert_max_num_queries(20):
        assert client.get(reverse("problem_list", args=[world.campaign.slug])).status_code == 200


def test_overview_query_count_is_fixed(world, django_assert_max_num_queries):
    for _ in range(5):
        record(world)
    client = client_for(world.office)
    # Figures, charts (and their history), the header (scope, unread messages) and the ledger
    # version, whether the campaign keeps projects: a fixed number, however many problems there
    # are.
    with django_assert_max_num_queries(33):  # + the 待办 count (12), read once a minute
        client.get(reverse("campaign_overview", args=[world.campaign.slug]))


def test_edit_and_extension_through_the_pages(world):
    problem = record(world)
    handler, leader = client_for(world.handler_a1), client_for(world.leader_a)
    handler.post(
        reverse("problem_edit", args=[problem.pk]),
        {
            "version": problem.version,
            "title": "新的问题表述",
            "description": "",
            "focus_area": world.area2.pk,
            "responsible_leader": "张伟",
            "responsible_person": "",
        },
    )
    problem.refresh_from_db()
    assert (problem.title, problem.focus_area) == ("新的问题表述", world.area2)
    new_deadline = problem.deadline + dt.timedelta(days=45)
    handler.post(
        reverse("problem_extension", args=[problem.pk]),
        {"new_deadline": new_deadline.isoformat(), "reason": "资金未到位"},
    )
    extension = problem.extensions.get()
    page = leader.post(
        reverse("problem_decide_extension", args=[problem.pk, extension.pk]),
        {"version": problem.version, "approve": "1", "note": "同意"},
        follow=True,
    ).content.decode()
    assert "延期申请已审批" in page
    problem.refresh_from_db()
    assert problem.deadline == new_deadline


def test_a_refused_step_keeps_what_was_typed_and_names_fields_in_chinese(world):
    problem = record(world)
    client = client_for(world.handler_a1)
    url = reverse("problem_report_progress", args=[problem.pk])
    typed = "已精简两个环节,剩余一个环节下周完成"
    refused = client.post(url, {"text": typed})  # no percent
    page = refused.content.decode()
    assert refused.status_code == 400 and typed in page
    assert "提交的内容有误:进度(%):该字段是必填项" in page and "* percent" not in page
    assert Problem.objects.get().progress == 0
    # Two tabs: the problem was changed in the other; the edit is refused and kept to resend.
    edit = reverse("problem_edit", args=[problem.pk])
    stale = problem.version
    services.update_problem(problem, by=world.handler_a1, version=stale,
                            responsible_person="另一个标签页")  # fmt: skip
    conflict = client.post(edit, {"version": stale, "title": "改过的问题名称",
                                  "focus_area": world.area.pk})  # fmt: skip
    page = conflict.content.decode()
    assert conflict.status_code == 409 and 'value="改过的问题名称"' in page
    problem.refresh_from_db()
    assert f'name="version" value="{problem.version}"' in page  # resend applies to what is now
    reason = reverse("problem_action", args=[problem.pk, "void"])
    voided = client_for(world.office).post(reason, {"version": stale, "reason": "重复登记的问题"})
    assert voided.status_code == 409 and "重复登记的问题</textarea>" in voided.content.decode()


def test_the_ledger_finds_the_problems_a_receipt_code_became(world):
    from taizhang.intake import services as intake
    from taizhang.intake.models import Channel

    s = intake.submit_suggestion(world.campaign, channel=Channel.WEB, title="路灯不亮",
                                 text="东关村路灯不亮", rate_limited=False)  # fmt: skip
    made = intake.convert_to_problem(s, by=world.office, version=s.version, org=world.dept_a1,
                                     focus_area=world.area, kind="deadline")  # fmt: skip
    record(world, title="别的问题")
    client = client_for(world.office)
    url = reverse("problem_list", args=[world.campaign.slug])
    shown = client.get(url, {"q": s.receipt_code.lower()}).content.decode()
    assert made.number in shown and "别的问题" not in shown
    by_number = client.get(url, {"q": f" {made.number.lower()} "}).content.decode()
    assert made.number in by_number and "别的问题" not in by_number
    queue = reverse("suggestion_queue", args=[world.campaign.slug])
    listed = client.get(queue, {"code": s.receipt_code.lower()}).content.decode()
    assert "路灯不亮" in listed  # whatever its state (it is 已转办 now)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_the_unit_sees_what_the_citizen_gave_and_evidence_previews_in_the_page(world):
    from taizhang.intake import services as intake
    from taizhang.intake.models import Channel

    s = intake.submit_suggestion(
        world.campaign, channel=Channel.WEB, title="路灯不亮",
        text="东关村路灯不亮,电话13812345678", address="东关村村委会门口",
        photos=[(io.BytesIO(PNG), "路灯.png")], rate_limited=False,
    )  # fmt: skip
    problem = intake.convert_to_problem(s, by=world.office, version=s.version, org=world.dept_a1,
                                        focus_area=world.area, kind="deadline")  # fmt: skip
    services.sign_problem(problem, by=world.handler_a1, version=problem.version)
    services.add_evidence(problem, by=world.handler_a1, upload=io.BytesIO(PDF),
                          original_name="验收.pdf")  # fmt: skip
    handler = client_for(world.handler_a1)
    page = handler.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    section = page.split('id="from-citizens"')[1].split("</section>")[0]
    assert (
        "东关村路灯不亮" in section
        and "13812345678" not in section
        and "东关村村委会门口" in section
    )
    photo_url = reverse("suggestion_photo", args=[s.pk, s.photos.get().pk])
    detail_link = f'href="{reverse("suggestion_detail", args=[s.pk])}"'
    assert photo_url in section and detail_link not in section  # units do not open the queue
    assert handler.get(photo_url)["Content-Type"] == "image/png"
    assert client_for(world.handler_b1).get(photo_url).status_code == 404  # not their problem
    office = client_for(world.office).get(reverse("problem_detail", args=[problem.pk]))
    assert detail_link in office.content.decode()
    evidence = problem.evidence.get()
    url = reverse("problem_evidence", args=[problem.pk, evidence.pk])
    assert f'<iframe src="{url}?inline=1"' in page
    inline = handler.get(url + "?inline=1")
    assert inline["Content-Type"] == "application/pdf" and "attachment" not in inline.get(
        "Content-Disposition", ""
    )
    assert "attachment" in handler.get(url)["Content-Disposition"]


def test_the_pager_numbers_its_pages_and_jumps(world):
    from taizhang.ledger import views

    views.PAGE_SIZE, saved = 2, views.PAGE_SIZE
    try:
        for i in range(11):
            record(world, title=f"问题{i:02d}")
        client = client_for(world.office)
        url = reverse("problem_list", args=[world.campaign.slug])
        page = client.get(url, {"page": 3, "org": "尧都区"}).content.decode()
        pager = page.split('class="pager"')[1].split("</nav>")[0]
        assert '<strong aria-current="page">3</strong>' in pager
        assert "page=1" in pager and "page=6" in pager  # first and last, not only 下一页
        assert 'name="org" value="尧都区"' in pager  # the jump keeps the filters
    finally:
        views.PAGE_SIZE = saved


def test_a_long_paste_is_not_cut_short_in_silence(world):
    problem = record(world)
    client = client_for(world.handler_a1)
    page = client.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    assert 'name="text"' in page and ' maxlength="2000"' not in page  # the browser cuts nothing
    pasted = "整改情况说明。" * 400  # 2 800 characters
    refused = client.post(reverse("problem_report_progress", args=[problem.pk]),
                          {"percent": "50", "text": pasted})  # fmt: skip
    text = refused.content.decode()
    assert refused.status_code == 400 and "最多 2000 字,现有 2800 字" in text and pasted in text


def test_a_problem_prints_as_a_sheet_to_stamp(world):
    from taizhang.supervision.services import issue_notice

    problem = record(world, title="窗口排队时间长", measures=["增设窗口"])
    client = client_for(world.handler_a1)
    url = reverse("problem_print", args=[problem.pk])
    sheet = client.get(url).content.decode()
    assert "问题交办单" in sheet and "窗口排队时间长" in sheet and "增设窗口" in sheet
    assert "承办单位签收" in sheet and "打印人" in sheet and "<script src=" in sheet
    issue_notice(problem, by=world.office, kind="supervise", text="请加快整改进度")
    assert "督办单" in client.get(url).content.decode()
    assert client_for(world.handler_b1).get(url).status_code == 404  # not theirs
