"""Uploads are capped before they are read, leftovers go, and what the server writes is its own."""

import io
import os
import time
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.core.housekeeping import run_nightly
from taizhang.ledger import services
from taizhang.ledger.evidence_files import evidence_path
from taizhang.sheets import jobs
from taizhang.sheets.models import ImportJob, JobStatus
from taizhang.testing import PDF, record


def test_a_body_past_the_cap_is_refused_and_nothing_is_stored(world, settings):
    settings.MAX_REQUEST_BYTES = 2**20
    client = Client()
    client.force_login(world.handler_a1)
    problem = record(world)
    upload = io.BytesIO(PDF + b"0" * (2 * 2**20))
    upload.name = "大.pdf"
    response = client.post(
        reverse("problem_upload_evidence", args=[problem.pk]),
        {"file": upload, "note": ""},
    )
    assert response.status_code == 413
    assert not problem.evidence.exists()


def test_what_the_server_writes_is_readable_by_it_alone(world):
    previous = os.umask(0o077)
    os.umask(previous)
    assert previous == 0o077
    problem = record(world)
    evidence = services.add_evidence(
        problem, by=world.handler_a1, upload=io.BytesIO(PDF), original_name="证明.pdf"
    )
    path = evidence_path(evidence.stored_name)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_old_leftovers_are_removed_at_night_but_not_a_running_jobs_file(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    uploads, errors = jobs.folder("import-uploads"), jobs.folder("import-errors")
    old = time.time() - 4 * 86400
    files = {
        "stale.xlsx": uploads,
        "busy.xlsx": uploads,
        "fresh.xlsx": uploads,
        "errors.xlsx.part": errors,
    }
    for name, where in files.items():
        (where / name).write_bytes(b"x")
        if name != "fresh.xlsx":
            os.utime(where / name, (old, old))
    ImportJob.objects.create(
        campaign=world.campaign, kind="problems", user=world.admin_a, stored_name="busy.xlsx",
        file_name="b.xlsx", mode="all", status=JobStatus.RUNNING, runner="elsewhere:1",
    )  # fmt: skip
    run_nightly(timezone.now())
    left = {p.name for p in Path(uploads).iterdir()} | {p.name for p in Path(errors).iterdir()}
    assert left == {"busy.xlsx", "fresh.xlsx"}


def test_a_body_that_says_no_length_is_cut_off_once_it_passes_the_cap(settings):
    """A chunked upload has no Content-Length for the middleware to read: the upload handler
    counts what arrives and stops at the cap."""
    import pytest
    from django.core.exceptions import RequestDataTooBig

    from taizhang.core.uploads import CappedUploadHandler

    settings.MAX_REQUEST_BYTES = 1000
    handler = CappedUploadHandler()
    assert handler.receive_data_chunk(b"x" * 600, 0) == b"x" * 600
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"x" * 600, 600)
