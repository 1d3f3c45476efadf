from django.test import Client
from django.urls import reverse

from taizhang.orgs.models import Org
from taizhang.testing import record


def staff_client(world) -> Client:
    world.office.is_staff = True
    world.office.is_superuser = True
    world.office.save()
    client = Client()
    client.force_login(world.office)
    return client


def test_admin_creates_units_through_the_services(world):
    client = staff_client(world)
    response = client.post(
        reverse("admin:orgs_org_add"),
        {
            "code": "141002102",
            "name": "尧都区刘村镇",
            "kind": "township",
            "parent": world.county_a.pk,
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Org.objects.get(code="141002102")
    assert org.path == "/141000/141002/141002102/" and org.depth == 2


def test_admin_moves_a_unit_and_its_problems_follow(world):
    problem = record(world, by=world.admin_a, org=world.branch_a2)
    client = staff_client(world)
    response = client.post(
        reverse("admin:orgs_org_change", args=[world.town_a2.pk]),
        {
            "name": world.town_a2.name,
            "kind": "township",
            "parent": world.county_b.pk,
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-0-id": world.handler_a2.role_assignments.get().pk,
            "role_assignments-0-org": world.town_a2.pk,
            "role_assignments-0-user": world.handler_a2.pk,
            "role_assignments-0-role": "handler",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    problem.refresh_from_db()
    assert problem.org_path == "/141000/141081/141002101/141002101201/"


def test_ledger_is_read_only_in_the_admin(world):
    problem = record(world)
    client = staff_client(world)
    assert client.get(reverse("admin:ledger_problem_change", args=[problem.pk])).status_code == 200
    assert client.get(reverse("admin:ledger_problem_add")).status_code == 403
