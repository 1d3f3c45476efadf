"""Evidence files: the content must be what the name claims, and they live outside the web root."""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

# What a view hands over (an uploaded file) or a command or test (an open file, BytesIO).
Upload = IO[bytes] | File

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# extension -> (magic prefixes it may start with, what a zip must contain)
ALLOWED_TYPES: dict[str, tuple[tuple[bytes, ...], bytes | None]] = {
    "jpg": ((b"\xff\xd8\xff",), None),
    "jpeg": ((b"\xff\xd8\xff",), None),
    "png": ((b"\x89PNG\r\n\x1a\n",), None),
    "gif": ((b"GIF87a", b"GIF89a"), None),
    "pdf": ((b"%PDF-",), None),
    "doc": ((_OLE,), None),
    "xls": ((_OLE,), None),
    "docx": ((_ZIP,), b"word/"),
    "xlsx": ((_ZIP,), b"xl/"),
}


@dataclass(frozen=True)
class CheckedFile:
    stored_name: str
    file_type: str
    size: int
    sha256: str


def check_and_store(upload: Upload, original_name: str, max_mb: int) -> CheckedFile:
    """Refuse files that are too big or whose bytes disguise another type; store the rest."""
    extension = Path(original_name).suffix.lower().lstrip(".")
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("不支持的文件类型“%(ext)s”。可上传:%(allowed)s。")
            % {"ext": extension or "无扩展名", "allowed": ", ".join(ALLOWED_TYPES)}
        )
    data = upload.read(max_mb * 1024 * 1024 + 1)
    if len(data) > max_mb * 1024 * 1024:
        raise ValidationError(_("文件超过 %(mb)d MB 的上限。") % {"mb": max_mb})
    if not data:
        raise ValidationError(_("文件是空的。"))
    magics, zip_marker = ALLOWED_TYPES[extension]
    if not data.startswith(magics) or (zip_marker is not None and zip_marker not in data):
        raise ValidationError(
            _("文件“%(name)s”的内容不是 %(ext)s 文件,可能是改了扩展名的其他文件,已拒收。")
            % {"name": original_name, "ext": extension}
        )
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    target = evidence_path(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return CheckedFile(stored_name, extension, len(data), hashlib.sha256(data).hexdigest())


def evidence_path(stored_name: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / stored_name[:2] / stored_name


def discard(stored_name: str) -> None:
    evidence_path(stored_name).unlink(missing_ok=True)
