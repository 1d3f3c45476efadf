from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from taizhang.campaigns.access import visible_campaigns


@login_required
def home(request: HttpRequest) -> HttpResponse:
    campaign = visible_campaigns(request.user).first()
    if campaign is not None:
        return redirect("campaign_overview", slug=campaign.slug)
    return render(request, "core/no_campaign.html", status=200)
