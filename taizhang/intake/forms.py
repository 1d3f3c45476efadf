from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core.forms import LongText
from taizhang.intake.models import Channel, Rating
from taizhang.intake.services import TRIAGE_ACTIONS
from taizhang.ledger.models import Kind


class SubmitForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    text = LongText(label=_("内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
    address = forms.CharField(label=_("地点(选填)"), max_length=200, required=False)
    name = forms.CharField(label=_("姓名(选填)"), max_length=60, required=False)
    phone = forms.CharField(label=_("手机号(选填,用于查询和回访)"), max_length=20, required=False)
    confidential = forms.BooleanField(label=_("保密:除活动办公室外不显示我的身份"), required=False)
    # A field people never see; robots fill it in.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"})
    )


class StaffEntryForm(SubmitForm):
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.HOTLINE)
    collected_on = forms.DateField(
        label=_("收集日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    collected_at_place = forms.CharField(label=_("收集地点"), max_length=200, required=False)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("回执码"), max_length=30)
    phone_last4 = forms.CharField(
        label=_("手机号后四位(提交时留了电话才需要)"), max_length=4, required=False
    )


class RateForm(TrackForm):
    # Nothing is chosen for the citizen: a preselected 非常满意 would count unless changed.
    rating = forms.TypedChoiceField(
        label=_("评价"),
        choices=[("", _("请选择")), *Rating.choices],
        coerce=int,
        error_messages={"required": _("请选择您的评价。")},
    )
    comment = forms.CharField(label=_("评价意见"), max_length=500, required=False)


class TriageForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("处理方式"), choices=[(a, a) for a in TRIAGE_ACTIONS])
    text = forms.CharField(label=_("答复或说明"), required=False, max_length=4000)
    duplicate_of = forms.CharField(label=_("原回执码"), required=False, max_length=40)
    org_code = forms.CharField(label=_("责任单位"), required=False, max_length=200)
    cooperating = forms.CharField(label=_("协办单位"), required=False, max_length=1000)
    template = forms.IntegerField(label=_("答复模板"), required=False)
    focus_area = forms.IntegerField(label=_("聚焦领域"), required=False)
    kind = forms.ChoiceField(label=_("整改类型"), choices=Kind.choices, required=False)


class AnswerTemplateForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=100)
    focus_area = forms.ModelChoiceField(
        label=_("聚焦领域"), queryset=FocusArea.objects.none(), required=False,
        empty_label=_("(所有领域)"),
    )  # fmt: skip
    text = LongText(
        label=_("答复内容"),
        max_length=4000,
        help_text=_("可用占位符:{回执码} {标题} {领域} {日期} {渠道}"),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = campaign.focus_areas.all()  # type: ignore[attr-defined]
