"""重大紧急: shorter default limits, texts for who wants them only for urgent work, first in
every list, set on the form, by import and shown in the API and exports."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from taizhang.ledger.deadlines import default_deadline
from taizhang.ledger.models import Problem, ProblemEvent
from taizhang.notifications.models import Contact, Message
from taizhang.notifications.sms import MemoryBackend, _backend
from taizhang.sheets.ledger_export import export_problems
from taizhang.sheets.problem_import import import_problems
from taizhang.testing import record
from taizhang.todo.services import todo_for


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "taizhang.notifications.sms.MemoryBackend"
    _backend.cache_clear()
    MemoryBackend.outbox = []
    yield MemoryBackend.outbox
    _backend.cache_clear()


def test_urgent_work_is_due_sooner_and_texted_first(
    world, texts, django_capture_on_commit_callbacks
):
    Contact.objects.create(user=world.handler_a1, mobile="13900000009")  # SMS: urgent only
    with django_capture_on_commit_callbacks(execute=True):
        plain = record(world, by=world.office, org=world.dept_a1, title="一般的问题")
        urgent = record(world, by=world.office, org=world.dept_a1, title="燃气管道泄漏",
                        urgent=True)  # fmt: skip
    today = timezone.localdate()
    assert urgent.deadline == default_deadline(world.campaign, "deadline", today, urgent=True).date
    assert urgent.deadline < plain.deadline
    # 交办 told both; only the urgent one came by text.
    assert [t for _n, t in texts] == [
        f"【台账】【重大紧急】交办,请签收:{urgent.number} 燃气管道泄漏"
    ]
    assert Message.objects.filter(user=world.handler_a1).count() == 2
    lists = {s.key: s for s in todo_for(world.handler_a1, world.campaign)}
    assert [i.title for i in lists["flagged"].items] == [f"{urgent.number} 燃气管道泄漏"]
    assert next(iter(lists)) == "flagged" and lists["sign"].count == 2


def test_the_flag_is_set_on_the_pages_and_kept_in_history(world):
    client = Client()
    client.force_login(world.handler_a1)
    created = client.post(reverse("problem_create", args=[world.campaign.slug]), {
        "title": "危房排查", "focus_area": world.area.pk, "org_code": world.dept_a1.code,
        "kind": "deadline", "source": "self_found", "urgent": "on",
    })  # fmt: skip
    assert created.status_code == 302
    problem = Problem.objects.get(title="危房排查")
    assert problem.urgent
    page = client.get(reverse("problem_detail", args=[problem.pk])).text
    assert 'id="urgent-flag"' in page
    record(world, title="不急的")
    listed = client.get(reverse("problem_list", args=[world.campaign.slug]) + "?urgent=1").text
    assert "危房排查" in listed and "flag-urgent" in listed
    assert "不急的" not in listed
    edit = {"version": problem.version, "title": problem.title, "focus_area": world.area.pk}
    client.post(reverse("problem_edit", args=[problem.pk]), edit)
    problem.refresh_from_db()
    assert not problem.urgent
    change = ProblemEvent.objects.filter(problem=problem, action="update").last()
    assert change.data["before"]["urgent"] == "True" and change.data["after"]["urgent"] == "False"
    api = Client()
    api.force_login(world.handler_a1)
    assert api.get(reverse("api_problem", args=[problem.pk])).json()["urgent"] is False


def _ledger(tmp_path, flags):
    wb = Workbook()
    ws = wb.active
    ws.append(["问题", "责任单位", "聚焦领域", "是否紧急"])
    for n, flag in enumerate(flags, 1):
        ws.append([f"问题{n}", "尧都区发改局", "优化营商环境", flag])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    return path


def test_an_import_reads_the_flag_and_refuses_a_word_it_does_not_know(world, tmp_path):
    refused = import_problems(_ledger(tmp_path, ["是", "也许"]), campaign=world.campaign)
    assert [(e.row, e.column) for e in refused.refused] == [(3, "是否紧急")]
    assert refused.refused[0].message.startswith("“也许”应为 是 或 否")
    assert not refused.written and not Problem.objects.exists()
    import_problems(_ledger(tmp_path, ["特急", "一般", None]), campaign=world.campaign)
    flags = dict(Problem.objects.values_list("title", "urgent"))
    assert flags == {"问题1": True, "问题2": False, "问题3": False}
    out = tmp_path / "导出.xlsx"
    export_problems(Problem.objects.order_by("number"), campaign=world.campaign, org=None, out=out)
    more = load_workbook(out)["其他信息"]
    header = next(r for r in more.iter_rows(values_only=True) if r and r[0] == "序号")
    column = header.index("重大紧急")
    values = [r[column] for r in more.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert values == ["是", None, None]
