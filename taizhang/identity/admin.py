from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from taizhang.identity import matching
from taizhang.identity.models import ExternalAccount, IdNumber


@admin.register(ExternalAccount)
class ExternalAccountAdmin(admin.ModelAdmin):
    """Who each platform's user is here. Made by logins and the directory sync; deleting a
    link lets the next login match the person afresh (by name or ID number)."""

    list_display = ["user", "platform", "subject", "seen_at", "left_at"]
    list_filter = ["platform"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "platform", "subject", "linked_at", "seen_at", "left_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False


class IdNumberForm(forms.ModelForm):
    number = forms.CharField(label=_("身份证号"), max_length=18,
                             help_text=_("只保存其加密摘要,不保存号码本身。"))  # fmt: skip

    class Meta:
        model = IdNumber
        fields = ["user"]

    def clean_number(self) -> str:
        try:
            return matching.clean_id_number(self.cleaned_data["number"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def save(self, commit: bool = True) -> Any:
        held = super().save(commit=False)
        held.digest = matching.number_digest(self.cleaned_data["number"])
        if commit:
            held.save()
        return held


@admin.register(IdNumber)
class IdNumberAdmin(admin.ModelAdmin):
    form = IdNumberForm
    list_display = ["user"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
