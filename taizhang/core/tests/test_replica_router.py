from django.db import transaction
from django.urls import reverse

from taizhang.core.replicas import PIN_COOKIE, ReplicaRouter, replica_reads


def test_reads_stay_on_the_primary_unless_marked_and_outside_a_transaction(db):
    router = ReplicaRouter()  # no replica named in the test settings: the primary always
    assert router.db_for_read(None) == "default"
    with replica_reads():
        assert router.db_for_read(None) == "default"
        with transaction.atomic():
            assert router.db_for_read(None) == "default"
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica0", "ledger") is False


def test_a_write_pins_the_browser_to_the_primary_for_a_moment(client, db):
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert PIN_COOKIE not in client.get(reverse("login")).cookies
