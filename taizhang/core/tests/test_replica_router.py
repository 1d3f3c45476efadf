from django.db import transaction
from django.urls import reverse

from taizhang.core import replicas
from taizhang.core.replicas import PIN_COOKIE, ReplicaRouter, replica_reads


def test_only_marked_reads_outside_a_transaction_go_to_a_usable_replica(
    transactional_db, monkeypatch
):
    router = ReplicaRouter()
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica0", "replica1"])
    state = {"replica0": True, "replica1": False}
    monkeypatch.setattr(replicas, "usable", lambda alias: state[alias])
    assert router.db_for_read(None) == "default"  # not marked: a command, the worker
    with replica_reads():
        assert router.db_for_read(None) == "replica0"  # the one that answers within the lag
        with transaction.atomic():
            assert router.db_for_read(None) == "default"  # a service's reads and locks
        state["replica0"] = False
        assert router.db_for_read(None) == "default"  # none usable: the primary
        with replica_reads(False):
            state["replica0"] = True
            assert router.db_for_read(None) == "default"
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica0", "ledger") is False
    assert router.allow_migrate("default", "ledger") is True


def test_a_write_pins_the_browser_to_the_primary_for_a_moment(client, db):
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert PIN_COOKIE not in client.get(reverse("login")).cookies
