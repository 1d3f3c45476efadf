from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core.forms import LongText
from taizhang.ledger import rhythm
from taizhang.ledger.models import ContactWay, DeclineReason, Kind, Source


class ProblemFieldsForm(forms.Form):
    """The descriptive fields a unit may edit while the problem is open."""

    title = forms.CharField(label=_("问题"), max_length=300)
    description = LongText(
        label=_("问题描述"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    focus_area = forms.ModelChoiceField(label=_("聚焦领域"), queryset=FocusArea.objects.none())
    responsible_leader = forms.CharField(label=_("责任领导"), max_length=60, required=False)
    responsible_person = forms.CharField(label=_("责任人"), max_length=60, required=False)
    urgent = forms.BooleanField(
        label=_("重大紧急"),
        required=False,
        help_text=_("时限更短,短信提醒,在每个人的待办中单列置顶"),
    )

    def __init__(self, *args: object, campaign: Campaign, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["focus_area"].queryset = campaign.focus_areas.all()  # type: ignore[attr-defined]


class ProblemForm(ProblemFieldsForm):
    org_code = forms.CharField(
        label=_("责任单位"),
        max_length=200,
        help_text=_("名称、简称或代码"),
        widget=forms.TextInput(attrs={"data-units": "1", "autocomplete": "off"}),
    )
    cooperating = LongText(
        label=_("协办单位"),
        max_length=2000,
        required=False,
        widget=forms.TextInput,
        help_text=_("多个单位用顿号分隔;每个协办单位签收并完成自己的协办任务"),
    )
    kind = forms.ChoiceField(label=_("整改类型"), choices=Kind.choices)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.SELF_FOUND)
    deadline = forms.DateField(
        label=_("整改时限"),
        required=False,
        help_text=_("留空则按整改类型的工作日时限自动计算"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    measures = LongText(
        label=_("整改措施(每行一条)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(VersionedForm):
    reason = LongText(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class AssignForm(VersionedForm):
    org_code = forms.CharField(
        label=_("交办给"),
        max_length=200,
        help_text=_("名称、简称或代码"),
        widget=forms.TextInput(attrs={"data-units": "1", "autocomplete": "off"}),
    )
    deadline = forms.DateField(
        label=_("整改时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DeclineForm(VersionedForm):
    category = forms.ChoiceField(label=_("退单原因"), choices=DeclineReason.choices)
    reason = LongText(
        label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    file = forms.FileField(
        label=_("退单依据"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}),
    )


class ContactForm(VersionedForm):
    way = forms.ChoiceField(label=_("联系方式"), choices=[("", _("请选择")), *ContactWay.choices])
    note = LongText(
        label=_("联系情况"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("与群众沟通的情况,如约定的办理时间。"),
    )


class ForwardForm(VersionedForm):
    org_code = forms.CharField(
        label=_("转派给"),
        max_length=200,
        help_text=_("下级单位的名称、简称或代码"),
        widget=forms.TextInput(attrs={"data-units": "1", "autocomplete": "off"}),
    )
    reason = LongText(label=_("说明"), required=False, max_length=2000, widget=forms.TextInput)


class ReviewDeclineForm(VersionedForm):
    accept = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("1", _("同意退单")), ("0", _("驳回,原单位继续办理"))],
        widget=forms.RadioSelect,
    )
    org_code = forms.CharField(
        label=_("改派给"),
        max_length=200,
        required=False,
        help_text=_("同意退单时可直接改派;留空则退回待交办"),
        widget=forms.TextInput(attrs={"data-units": "1", "autocomplete": "off"}),
    )
    deadline = forms.DateField(
        label=_("整改时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = LongText(
        label=_("审核意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class MergeForm(VersionedForm):
    into_number = forms.CharField(label=_("合并到(问题编号)"), max_length=40)
    reason = forms.CharField(label=_("说明"), required=False, max_length=2000)


class MeasureForm(forms.Form):
    content = LongText(
        label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    deadline = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("进度(%)"), min_value=0, max_value=100)
    text = LongText(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    reported_on = forms.DateField(
        label=_("进展日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    measure = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    # image/* lets a phone offer its camera beside its files.
    file = forms.FileField(
        label=_("佐证材料"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}),
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(
        label=_("申请延至"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = LongText(
        label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ExtensionDecisionForm(VersionedForm):
    approve = forms.ChoiceField(choices=[("1", _("批准")), ("0", _("驳回"))])
    note = forms.CharField(label=_("意见"), required=False, max_length=2000)


class EditForm(ProblemFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    report_rhythm = forms.ChoiceField(
        label=_("报送周期"), choices=rhythm.CHOICES, required=False,
        help_text=_("到报送日提醒,逾期未报催办"),
    )  # fmt: skip


class AreaForm(VersionedForm):
    """The focus area an import proposed, confirmed or corrected."""

    focus_area = forms.ModelChoiceField(label=_("聚焦领域"), queryset=FocusArea.objects.none())

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = campaign.focus_areas.all()  # type: ignore[attr-defined]


class CooperateForm(VersionedForm):
    units = LongText(
        label=_("协办单位"),
        max_length=2000,
        required=False,
        widget=forms.TextInput,
        help_text=_("多个单位用顿号分隔;留空则取消全部协办单位"),
    )
    reason = LongText(label=_("说明"), required=False, max_length=2000, widget=forms.TextInput)


class PartReportForm(forms.Form):
    percent = forms.IntegerField(label=_("进度(%)"), min_value=0, max_value=100)
    text = LongText(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PartFinishForm(forms.Form):
    note = LongText(label=_("协办情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PartWaiveForm(forms.Form):
    reason = LongText(
        label=_("豁免理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class PartDeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("协办时限"), widget=forms.DateInput(attrs={"type": "date"}))
