from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger.models import Kind


class EntryForm(forms.Form):
    focus_area = forms.ModelChoiceField(
        label=_("聚焦领域"), queryset=FocusArea.objects.none(), required=False,
        empty_label=_("(任意领域)"),
    )  # fmt: skip
    sub_category = forms.CharField(label=_("子类"), max_length=60, required=False)
    keywords = forms.CharField(
        label=_("关键词"),
        max_length=500,
        required=False,
        help_text=_("用顿号或逗号分隔,任一出现即匹配"),
    )
    lead_org = forms.CharField(
        label=_("主办单位"),
        max_length=200,
        widget=forms.TextInput(attrs={"data-units": "1", "autocomplete": "off"}),
    )
    cooperating = forms.CharField(
        label=_("协办单位"), max_length=1000, required=False, help_text=_("多个单位用顿号分隔")
    )
    kind = forms.ChoiceField(
        label=_("整改类型"), choices=[("", _("(不指定)")), *Kind.choices], required=False
    )
    time_limit_days = forms.IntegerField(
        label=_("办理时限(工作日)"), min_value=1, max_value=1000, required=False
    )

    def __init__(self, *args: object, campaign: Campaign, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["focus_area"].queryset = campaign.focus_areas.all()  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("派单目录表格"))
