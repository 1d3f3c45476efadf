from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.notifications.models import Contact


class ContactForm(forms.ModelForm):
    """通知方式: where mail and texts go, and how often."""

    class Meta:
        model = Contact
        fields = ["mail", "sms", "mobile"]
        widgets = {
            "mail": forms.RadioSelect,
            "sms": forms.RadioSelect,
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }
        help_texts = {"mobile": _("接收短信的手机号码;不填则不发短信。")}

    def clean_mobile(self) -> str:
        mobile = "".join(self.cleaned_data.get("mobile", "").split()).replace("-", "")
        if mobile and not (mobile.isdigit() and len(mobile) == 11 and mobile.startswith("1")):
            raise forms.ValidationError(_("请填写 11 位手机号码。"))
        return mobile
