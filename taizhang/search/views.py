"""全文检索: problems and suggestions found by any word of their text, in the reader's scope."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from taizhang.campaigns.access import campaign_for
from taizhang.core.typing import AuthedRequest
from taizhang.intake.permissions import can_record
from taizhang.intake.searchable import search_suggestions
from taizhang.ledger.searchable import search_problems
from taizhang.search import services

PAGE = 20
KINDS = ("problems", "suggestions")


@login_required
def results(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    typed = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "problems")
    if kind not in KINDS or (kind == "suggestions" and not can_record(request.user, campaign)):
        kind = "problems"
    number = max(1, min(int(p) if (p := request.GET.get("page", "")).isdigit() else 1, 10_000))
    # What the writers marked and the index has not written yet (a large import being indexed
    # by the worker): write a little of it now, and say so if some remains.
    behind = services.pending() and services.flush(budget=500)
    search = search_problems if kind == "problems" else search_suggestions
    found = search(request.user, campaign, typed, limit=PAGE, offset=(number - 1) * PAGE)
    page = Paginator(range(found.total), PAGE).get_page(number)
    return render(
        request,
        "search/results.html",
        {
            "campaign": campaign,
            "typed": typed,
            "kind": kind,
            "results": found,
            "page": page,
            "page_numbers": [
                n if n != page.paginator.ELLIPSIS else None
                for n in page.paginator.get_elided_page_range(page.number, on_each_side=2)
            ],
            "querystring": urlencode({"q": typed, "kind": kind}),
            "problems_query": urlencode({"q": typed, "kind": "problems"}),
            "suggestions_query": urlencode({"q": typed, "kind": "suggestions"}),
            "ledger_query": urlencode({"q": typed}),
            "may_see_suggestions": can_record(request.user, campaign),
            "behind": behind,
        },
    )
