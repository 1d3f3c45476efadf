from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core.typing import AuthedRequest
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import scope_of
from taizhang.workdays.models import OfficialDay, ScheduleYear
from taizhang.workdays.services import load_year


class ScheduleForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100)
    text = forms.CharField(
        label=gettext_lazy("节假日与调休安排"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("每行一条:2027-01-01..2027-01-03 元旦;调休上班写“补班”"),
    )
    note = forms.CharField(label=gettext_lazy("依据(文号)"), required=False, max_length=200)


@login_required
def calendar_page(request: AuthedRequest) -> HttpResponse:
    if not scope_of(request.user).has_role(Role.OFFICE):
        raise PermissionDenied(_("只有活动办公室可以维护节假日安排。"))
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = load_year(
                year=form.cleaned_data["year"],
                text=form.cleaned_data["text"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("text", message)
        else:
            messages.success(request, _("已载入 %(n)d 天。") % {"n": count})
            return redirect("calendar")
    years = ScheduleYear.objects.order_by("-year")
    days = OfficialDay.objects.order_by("-date")[:60]
    return render(
        request,
        "workdays/calendar.html",
        {"form": form, "years": years, "days": days},
        status=400 if form.errors else 200,
    )
