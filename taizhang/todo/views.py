from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from taizhang.campaigns.access import campaign_for
from taizhang.core.typing import AuthedRequest
from taizhang.todo.services import todo_for


@login_required
def todo(request: AuthedRequest, slug: str) -> HttpResponse:
    """我的待办: the page each user starts on."""
    campaign = campaign_for(request.user, slug)
    return render(
        request,
        "todo/todo.html",
        {"campaign": campaign, "sections": todo_for(request.user, campaign)},
    )
