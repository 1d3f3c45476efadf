"""Open311 responses in JSON or XML, and errors in the spec's shape."""

from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse


def _xml(root: str, item: str | None, data: Any) -> bytes:
    top = ET.Element(root)

    def fill(parent: ET.Element, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                fill(ET.SubElement(parent, key), inner)
        elif isinstance(value, list):
            for inner in value:
                fill(ET.SubElement(parent, item or "item"), inner)
        elif isinstance(value, bool):
            parent.text = "true" if value else "false"
        else:
            parent.text = "" if value is None else str(value)

    if isinstance(data, list):
        for entry in data:
            fill(ET.SubElement(top, item or "item"), entry)
    else:
        fill(top, data)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")


def respond(fmt: str, data: Any, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            _xml(root, item, data), status=status, content_type="text/xml; charset=utf-8"
        )
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(
        fmt, [{"code": status, "description": description}], "errors", "error", status=status
    )
