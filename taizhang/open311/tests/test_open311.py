"""Open311 GeoReport v2 as an external client sees it: reads through the `georeport` client,
writes with plain HTTP, against a real server."""

import xml.etree.ElementTree as ET

import pytest
import requests
from georeport import GeoReport

from taizhang.api import tokens
from taizhang.intake import services
from taizhang.intake.models import Channel, Suggestion
from taizhang.testing import close

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(world, live_server):
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def api_key(world):
    return tokens.issue(world.operator, name="Open311", scope="intake")[1]


def post(endpoint, **fields):
    return requests.post(f"{endpoint}/requests.json", data=fields, timeout=30)


def test_services_are_the_focus_areas(world, endpoint):
    client = GeoReport(endpoint, jurisdiction=world.campaign.slug)
    services_list = client.get_service_list()
    assert {s["service_name"] for s in services_list} == {"优化营商环境", "破解民生难题"}
    code = services_list[0]["service_code"]
    assert client.get_service_definition(code)["attributes"] == []
    xml = GeoReport(endpoint, output_format="xml").get_service_list()
    assert {s["service_name"] for s in xml} == {"优化营商环境", "破解民生难题"}


def test_post_then_follow_a_request_to_closure(world, endpoint, api_key):
    response = post(
        endpoint,
        api_key=api_key,
        service_code=str(world.area2.pk),
        lat="36.08",
        long="111.52",
        description="路口井盖缺失,夜间危险",
        first_name="三",
        last_name="张",
        phone="13812345678",
    )
    assert response.status_code == 201
    request_id = response.json()[0]["service_request_id"]
    client = GeoReport(endpoint, jurisdiction=world.campaign.slug)
    found = client.get_service_request(request_id)
    assert found["status"] == "open" and found["service_name"] == "破解民生难题"
    assert float(found["lat"]) == pytest.approx(36.08)
    assert "13812345678" not in str(found) and "张三" not in str(found)

    suggestion = Suggestion.objects.get(pk=int(request_id))
    assert request_id != suggestion.receipt_code
    assert suggestion.recorded_by == world.operator and suggestion.name == "张三"
    problem = services.convert_to_problem(
        suggestion,
        by=world.office,
        version=suggestion.version,
        org=world.dept_a1,
        focus_area=world.area2,
        kind="immediate",
    )
    assert client.get_service_request(request_id)["agency_responsible"] == "尧都区发改局"
    from taizhang.ledger import services as ledger

    ledger.sign_problem(problem, by=world.handler_a1, version=problem.version)
    close(world, problem)
    assert client.get_service_request(request_id)["status"] == "closed"
    closed = client.get_service_requests(status="closed")
    assert [r["service_request_id"] for r in closed] == [request_id]
    assert client.get_service_requests(status="open") == []
    token = requests.get(f"{endpoint}/tokens/{request_id}.json", timeout=30).json()
    assert token == [{"service_request_id": request_id, "token": request_id}]


def test_filters_and_xml_list(world, endpoint):
    for title in ("一", "二"):
        services.submit_suggestion(
            world.campaign, channel=Channel.WEB, title=title, text=title, focus_area=world.area
        )
    services.submit_suggestion(
        world.campaign, channel=Channel.WEB, title="三", text="三", focus_area=world.area2
    )
    client = GeoReport(endpoint, jurisdiction=world.campaign.slug)
    assert len(client.get_service_requests(service_code=str(world.area.pk))) == 2
    body = requests.get(f"{endpoint}/requests.xml", timeout=30).content
    root = ET.fromstring(body)
    assert root.tag == "service_requests" and len(root.findall("request")) == 3


@pytest.mark.parametrize(
    ("fields", "status", "fragment"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "999999"}, 400, "service_code"),
        ({"lat": "", "long": ""}, 400, "location"),
        ({"phone": "123"}, 400, "格式不正确"),
        ({"description": ""}, 400, "请填写内容"),
    ],
)
def test_bad_posts_answer_in_the_specs_error_format(
    world, endpoint, api_key, fields, status, fragment
):
    data = {
        "api_key": api_key,
        "service_code": str(world.area.pk),
        "lat": "36",
        "long": "111",
        "description": "路灯不亮",
    }
    data.update(fields)
    response = post(endpoint, **data)
    assert response.status_code == status
    [err] = response.json()
    assert err["code"] == status and fragment in err["description"]
    assert not Suggestion.objects.exists()


def test_errors_for_unknown_things(world, endpoint):
    assert requests.get(f"{endpoint}/requests/NOPE.json", timeout=30).status_code == 404
    huge = "9" * 30
    assert requests.get(f"{endpoint}/requests/{huge}.json", timeout=30).status_code == 404
    for fmt in ("json", "xml"):
        overflow = requests.get(
            f"{endpoint}/requests.{fmt}", params={"service_code": huge}, timeout=30
        )
        assert overflow.status_code == 200
    bad = requests.get(f"{endpoint}/requests.xml", params={"status": "pending"}, timeout=30)
    assert bad.status_code == 400 and ET.fromstring(bad.content).tag == "errors"
    span = requests.get(
        f"{endpoint}/requests.json",
        timeout=30,
        params={"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-12-31T00:00:00Z"},
    )
    assert span.status_code == 400 and "90 days" in span.json()[0]["description"]
    other = requests.get(f"{endpoint}/services.json", params={"jurisdiction_id": "x"}, timeout=30)
    assert other.status_code == 404


def test_the_public_never_sees_receipt_codes_confidential_or_staff_recorded_ones(world, endpoint):
    public = services.submit_suggestion(
        world.campaign, channel=Channel.WEB, title="路灯", text="路灯不亮,电话13912345678"
    )
    secret = services.submit_suggestion(
        world.campaign, channel=Channel.WEB, title="举报", text="匿名举报", confidential=True
    )
    call = services.submit_suggestion(
        world.campaign, channel=Channel.HOTLINE, title="来电", text="来电", by=world.operator
    )
    body = requests.get(f"{endpoint}/requests.json", timeout=30)
    rows = body.json()
    assert [r["service_request_id"] for r in rows] == [str(public.pk)]
    assert "13912345678" not in body.text
    for s in (public, secret, call):
        assert s.receipt_code not in body.text
    for hidden in (secret, call):
        detail = requests.get(f"{endpoint}/requests/{hidden.pk}.json", timeout=30)
        assert detail.status_code == 404
        assert requests.get(f"{endpoint}/tokens/{hidden.pk}.json", timeout=30).status_code == 404
    by_code = requests.get(f"{endpoint}/requests/{public.receipt_code}.json", timeout=30)
    assert by_code.status_code == 404
