"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the intake services."""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from taizhang.api import tokens
from taizhang.api.models import TokenScope
from taizhang.campaigns.models import Campaign
from taizhang.intake import services as intake
from taizhang.intake.models import Channel, Suggestion
from taizhang.open311 import mapping
from taizhang.open311.render import error, respond

View = Callable[..., HttpResponse]
MAX_RANGE = dt.timedelta(days=90)
MAX_RESULTS = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def open311(view: View) -> View:
    """Resolve the format and jurisdiction; turn every failure into the spec's error list."""

    @wraps(view)
    def wrapper(request: HttpRequest, fmt: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if fmt not in ("json", "xml"):
            return error("json", 404, "format must be json or xml")
        try:
            jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
            campaigns = Campaign.objects.select_related("org").order_by("-starts_on", "-pk")
            campaign = (campaigns.filter(slug=jurisdiction) if jurisdiction else campaigns).first()
            if campaign is None:
                raise Open311Error(404, f"jurisdiction_id not found: {jurisdiction}")
            return view(request, fmt, campaign, *args, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)

    return wrapper


@open311
def services(request: HttpRequest, fmt: str, campaign: Campaign) -> HttpResponse:
    data = [mapping.service(a, campaign) for a in campaign.focus_areas.all()]
    return respond(fmt, data, "services", "service")


@open311
def service_definition(
    request: HttpRequest, fmt: str, campaign: Campaign, code: str
) -> HttpResponse:
    if not campaign.focus_areas.filter(pk=_number(code)).exists():
        raise Open311Error(404, f"service_code not found: {code}")
    return respond(fmt, {"service_code": code, "attributes": []}, "service_definition", None)


@csrf_exempt
@open311
def requests(request: HttpRequest, fmt: str, campaign: Campaign) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt, campaign)
    found = _filtered(request, campaign)
    return respond(fmt, [mapping.request(s) for s in found], "service_requests", "request")


@open311
def request_detail(request: HttpRequest, fmt: str, campaign: Campaign, code: str) -> HttpResponse:
    suggestion = _prefetched(campaign).filter(pk=_number(code)).first()
    if suggestion is None:
        raise Open311Error(404, f"service_request_id not found: {code}")
    return respond(fmt, [mapping.request(suggestion)], "service_requests", "request")


@open311
def token(request: HttpRequest, fmt: str, campaign: Campaign, code: str) -> HttpResponse:
    """Requests get their id at once, so a token is the id itself."""
    if not mapping.published(campaign).filter(pk=_number(code)).exists():
        raise Open311Error(404, f"token not found: {code}")
    data = [{"service_request_id": code, "token": code}]
    return respond(fmt, data, "service_requests", "request")


def _number(code: str) -> int:
    """A request id as the database can look it up; 0 (no row) for anything else."""
    code = code.strip()
    return int(code) if code.isdigit() and len(code) <= 18 else 0


def _digits(values: str) -> list[int]:
    return [n for n in (_number(v) for v in values.split(",")) if n]


def _prefetched(campaign: Campaign) -> Any:
    return (
        mapping.published(campaign)
        .select_related("focus_area", "campaign__org")
        .prefetch_related("problems__org", "events")
    )


def _filtered(request: HttpRequest, campaign: Campaign) -> list[Suggestion]:
    found = _prefetched(campaign)
    ids = request.GET.get("service_request_id")
    if ids:
        return list(found.filter(pk__in=_digits(ids)))
    codes = request.GET.get("service_code")
    if codes:
        found = found.filter(focus_area_id__in=_digits(codes))
    end = _date(request, "end_date") or timezone.now()
    start = _date(request, "start_date") or end - MAX_RANGE
    if end - start > MAX_RANGE:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    found = found.filter(submitted_at__gte=start, submitted_at__lte=end).order_by("-submitted_at")
    wanted = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
    if wanted - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    rows = list(found[:MAX_RESULTS])
    if wanted:
        rows = [s for s in rows if ("closed" if mapping.is_closed(s) else "open") in wanted]
    return rows


def _date(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        raise Open311Error(400, f"{name} must be a w3 datetime, e.g. 2010-01-01T00:00:00Z")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _create(request: HttpRequest, fmt: str, campaign: Campaign) -> HttpResponse:
    data = request.POST
    key = tokens.find(data.get("api_key", ""))
    if key is None or not key.user.is_active or key.scope == TokenScope.READ:
        raise Open311Error(
            403, "a valid api_key (not a read-only one) is required to create requests"
        )
    code = data.get("service_code", "")
    area = campaign.focus_areas.filter(pk=_number(code)).first()
    if area is None:
        raise Open311Error(400, f"service_code not found: {code}")
    address = data.get("address_string", "").strip()
    if not address and data.get("lat") and data.get("long"):
        address = f"{data['lat']},{data['long']}"
    if not address:
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    description = data.get("description", "").strip()
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()
    try:
        suggestion = intake.submit_suggestion(
            campaign,
            channel=Channel.WEB,
            title=(description or area.name)[:40],
            text=description,
            address=address,
            name=name,
            phone=data.get("phone", ""),
            by=key.user,
            focus_area=area,
        )
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc)) from exc
    except ValidationError as exc:
        raise Open311Error(400, "; ".join(exc.messages)) from exc
    body = [
        {
            "service_request_id": mapping.public_id(suggestion),
            "service_notice": "",
            "account_id": None,
        }
    ]
    return respond(fmt, body, "service_requests", "request", status=201)
