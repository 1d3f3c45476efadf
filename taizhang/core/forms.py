"""Form fields every app shares."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class LongText(forms.CharField):
    """Text that may be long. The browser is not told the limit — it would cut a pasted text
    short without a word —; the server refuses what is too long, saying by how much, and the
    page keeps the text for the user to shorten."""

    widget = forms.Textarea
    default_error_messages = {
        "max_length": _("最多 %(limit_value)d 字,现有 %(show_value)d 字:请删减后再提交。"),
    }

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if self.max_length is not None:
            attrs.pop("maxlength", None)
            attrs["data-maxlength"] = str(self.max_length)
        return attrs


def field_errors(form: forms.Form) -> list[str]:
    """A form's errors named by the fields' labels, in the reader's language (not by their
    names in the code: "进度(%):该字段是必填项", never "* percent *")."""
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        found += [f"{label}:{e}" if label else str(e) for e in errors]
    return found
