import io

import pytest
from django.core.exceptions import ValidationError

from taizhang.ledger import services
from taizhang.ledger.evidence_files import evidence_path
from taizhang.ledger.models import Evidence
from taizhang.testing import PDF, record

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def test_real_files_are_stored_outside_the_web_root(world, settings):
    problem = record(world)
    evidence = services.add_evidence(
        problem, by=world.handler_a1, upload=io.BytesIO(PNG), original_name="现场.PNG"
    )
    path = evidence_path(evidence.stored_name)
    assert path.read_bytes() == PNG
    assert str(path).startswith(str(settings.EVIDENCE_ROOT))
    assert evidence.file_type == "png" and evidence.size == len(PNG)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", EXE, "改了扩展名"),
        ("tool.exe", EXE, "不支持的文件类型"),
        ("report.docx", b"PK\x03\x04" + b"\x00" * 40, "改了扩展名"),
        ("empty.pdf", b"", "空的"),
    ],
)
def test_disguised_or_unknown_files_are_refused(world, name, data, message):
    problem = record(world)
    with pytest.raises(ValidationError, match=message):
        services.add_evidence(
            problem, by=world.handler_a1, upload=io.BytesIO(data), original_name=name
        )
    assert not Evidence.objects.exists()


def test_oversized_file_is_refused(world):
    world.campaign.rules = {"evidence_max_mb": 1}
    world.campaign.save()
    problem = record(world)
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError, match="1 MB"):
        services.add_evidence(
            problem, by=world.handler_a1, upload=io.BytesIO(big), original_name="a.pdf"
        )


def test_only_the_unit_may_upload(world):
    problem = record(world)
    with pytest.raises(services.NotAllowed):
        services.add_evidence(
            problem, by=world.leader_a, upload=io.BytesIO(PDF), original_name="a.pdf"
        )
