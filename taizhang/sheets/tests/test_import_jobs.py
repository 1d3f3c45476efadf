"""Large files go to the background: progress, cancel, the outcome, the other kinds."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from taizhang.intake.models import Suggestion
from taizhang.ledger.models import Problem
from taizhang.orgs.models import Org
from taizhang.sheets import jobs
from taizhang.sheets.models import ImportJob, JobStatus
from taizhang.sheets.tests.test_import import good_rows, workbook


@pytest.fixture
def background(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.IMPORT_BACKGROUND_BYTES = 0  # every upload goes to the background
    return settings


def _upload(client, world, path, kind="problems", mode="all"):
    url = reverse("ledger_import", args=[world.campaign.slug])
    with path.open("rb") as handle:
        return client.post(url, {"file": handle, "mode": mode, "kind": kind})


def test_a_background_import_reports_progress_and_its_outcome(
    world, tmp_path, background, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.admin_a)
    rows = good_rows(world)[:2]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, world, workbook(tmp_path, rows))
    job = ImportJob.objects.get()
    assert response.url == reverse("import_job", args=[world.campaign.slug, job.pk])
    assert job.status == JobStatus.DONE and Problem.objects.count() == 2
    status = client.get(response.url + "?format=json").json()
    assert status["percent"] == 100 and status["active"] is False
    page = client.get(response.url).content.decode()
    assert "已导入" in page and "新增 2 条" in page
    assert not list((tmp_path / "var" / "import-uploads").iterdir())
    other = Client()
    other.force_login(world.handler_a1)
    assert other.get(response.url).status_code == 404  # one's own jobs only


def test_a_refused_file_comes_back_with_its_errors(
    world, tmp_path, background, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.admin_a)
    bad = [9, "", "", "优化营商环境", "不存在的局", "", "立行立改", "", ""]
    rows = [*good_rows(world)[:1], bad]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, world, workbook(tmp_path, rows), mode="partial")
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE and job.result["refused_rows"] == 1
    assert Problem.objects.count() == 1
    errors = client.get(reverse("import_job_errors", args=[world.campaign.slug, job.pk]))
    sheet = load_workbook(__import__("io").BytesIO(b"".join(errors.streaming_content))).active
    assert any("不存在的局" in str(c.value) for row in sheet.iter_rows() for c in row)
    page = client.get(response.url).content.decode()
    # The page names the refused row and the column at fault (row 3: the header is row 1).
    assert "第 3 行“牵头单位”列" in page and "第 3 行“存在问题”列" in page


def test_a_cancelled_import_leaves_nothing(world, tmp_path, background, monkeypatch):
    client = Client()
    client.force_login(world.office)  # may import every row: the rows are written, then undone
    _upload(client, world, workbook(tmp_path, good_rows(world)))  # queued: no commit in tests
    job = ImportJob.objects.get()
    assert job.status == JobStatus.QUEUED
    page = client.get(reverse("import_job", args=[world.campaign.slug, job.pk])).content.decode()
    assert "<progress" in page and "取消导入" in page
    # The user cancels while the rows are being written: the write is rolled back.
    real = jobs.import_problems

    def cancel_midway(*args, **kwargs):
        result = real(*args, **kwargs)
        assert result.written
        running = jobs.live(ImportJob.objects.get(pk=job.pk))
        # The worker's report is seen outside its transaction (a file, not a row).
        assert running.stage == "写入" and running.done == running.total == len(good_rows(world))
        with translation.override("en"):
            assert running.stage_display == "Writing"
        jobs.cancel(running)
        return result

    monkeypatch.setattr(jobs, "import_problems", cancel_midway)
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and Problem.objects.count() == 0
    assert (
        "已取消"
        in client.get(reverse("import_job", args=[world.campaign.slug, job.pk])).content.decode()
    )


def test_a_queued_import_can_be_cancelled_before_it_starts(world, tmp_path, background):
    client = Client()
    client.force_login(world.admin_a)
    _upload(client, world, workbook(tmp_path, good_rows(world)))
    job = ImportJob.objects.get()
    client.post(reverse("import_job", args=[world.campaign.slug, job.pk]), {"action": "cancel"})
    jobs.execute(job.pk)  # a worker picking it up later does nothing
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and Problem.objects.count() == 0


def test_unknown_headers_are_asked_for_then_the_job_goes_on(
    world, tmp_path, background, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.handler_a1)
    path = workbook(tmp_path, [["窗口少", "优化营商环境", "尧都区发改局", "立行立改"]],
                    header=["问题摘要", "聚焦领域", "承办单位", "整改类型"])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, world, path)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.MAPPING
    assert 'id="mapping"' in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "map", "map:问题摘要": "title", "map:承办单位": "org"})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Problem.objects.get().title == "窗口少"


def test_the_office_imports_suggestions_units_and_people_from_the_page(
    world, tmp_path, background, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.office)
    page = client.get(reverse("ledger_import", args=[world.campaign.slug])).content.decode()
    for label in ("问题台账", "意见建议", "单位", "人员和角色"):
        assert label in page
    for kind, sheet in (("suggestions", "意见建议"), ("orgs", "单位"), ("users", "人员和角色")):
        template = client.get(
            reverse("ledger_import_template", args=[world.campaign.slug]) + f"?kind={kind}"
        )
        assert (
            load_workbook(
                __import__("io").BytesIO(b"".join(template.streaming_content))
            ).active.title
            == sheet
        )
    rows = [
        [
            "希望延长周末办公时间",
            "",
            "意见表",
            world.campaign.starts_on,
            "市民中心",
            "",
            "",
            "否",
            3,
        ]
    ]
    header = ["内容", "标题", "渠道", "收集日期", "收集地点", "姓名", "电话", "保密", "附议数"]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, workbook(tmp_path, rows, header=header), kind="suggestions")
    assert Suggestion.objects.get().votes == 3
    org_header = ["单位代码", "单位名称", "上级单位代码", "单位类型"]
    orgs = workbook(
        tmp_path,
        [["141002888", "尧都区新设局", "141002", "部门"]],
        header=org_header,
        name="o.xlsx",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, orgs, kind="orgs")
    assert Org.objects.get(code="141002888").parent == world.county_a
    # A unit's handler may import its ledger, but not units or people.
    handler = Client()
    handler.force_login(world.handler_a1)
    assert _upload(handler, world, orgs, kind="orgs").status_code == 403


def test_a_job_left_running_by_a_dead_worker_fails_with_a_reason_and_can_be_retried(
    world, tmp_path, background, django_capture_on_commit_callbacks
):
    import subprocess

    from taizhang.core.runner import this_runner, worker_starting

    gone = subprocess.Popen(["true"])
    gone.wait()
    host = this_runner().rpartition(":")[0]
    path = workbook(tmp_path, good_rows(world)[:2])
    stored = jobs.folder("import-uploads") / "orphan.xlsx"
    stored.write_bytes(path.read_bytes())
    job = ImportJob.objects.create(
        campaign=world.campaign,
        kind="problems",
        user=world.admin_a,
        stored_name="orphan.xlsx",
        file_name="台账.xlsx",
        mode="all",
        status=JobStatus.RUNNING,
        runner=f"{host}:{gone.pid}",
    )
    alive = ImportJob.objects.create(
        campaign=world.campaign,
        kind="problems",
        user=world.admin_a,
        stored_name="other.xlsx",
        file_name="别处.xlsx",
        mode="all",
        status=JobStatus.RUNNING,
        runner="another-machine:1",
    )
    worker_starting.send(sender=None)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "意外退出" in job.result["errors"][0]
    assert ImportJob.objects.get(pk=alive.pk).status == JobStatus.RUNNING
    client = Client()
    client.force_login(world.admin_a)
    url = reverse("import_job", args=[world.campaign.slug, job.pk])
    page = client.get(url).content.decode()
    assert "意外退出" in page and 'id="retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "retry"})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Problem.objects.count() == 2


def test_the_page_shows_a_dead_workers_job_as_failed(world, tmp_path, background):
    job = ImportJob.objects.create(
        campaign=world.campaign,
        kind="problems",
        user=world.admin_a,
        stored_name="x.xlsx",
        file_name="台账.xlsx",
        mode="all",
        status=JobStatus.RUNNING,
        runner="",
    )
    client = Client()
    client.force_login(world.admin_a)
    status = client.get(
        reverse("import_job", args=[world.campaign.slug, job.pk]) + "?format=json"
    ).json()
    assert status["status"] == "failed" and status["active"] is False
