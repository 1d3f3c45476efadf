"""The public pages under attack: guessing phone digits, forging ratings, bursts behind a proxy."""

import logging
import threading

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from taizhang.core import clientip
from taizhang.intake import services
from taizhang.intake.models import Channel, Suggestion
from taizhang.intake.tests.test_pages import submit_through_the_page


def track(world, client, code, last4, ip="10.9.9.9"):
    return client.post(
        reverse("public_track", args=[world.campaign.slug]),
        {"code": code, "phone_last4": last4},
        REMOTE_ADDR=ip,
    )


def test_guessing_the_last_four_digits_locks_the_code(world, caplog):
    code = submit_through_the_page(world, Client())
    caplog.set_level(logging.WARNING, logger="taizhang.security")
    for guess in range(5):
        # Each guess from another address: the lock is on the code itself.
        response = track(world, Client(), code, f"{guess:04d}", ip=f"10.8.0.{guess}")
        assert "没有找到" in response.content.decode()
    locked = track(world, Client(), code, "5678", ip="10.8.1.1")
    assert locked.status_code == 429 and "尝试次数过多" in locked.content.decode()
    assert "公交站没有雨棚" not in locked.content.decode()
    assert sum("refused" in r.getMessage() for r in caplog.records) == 5
    assert all(code not in r.getMessage() for r in caplog.records)


def test_one_address_guessing_many_codes_is_locked(world):
    code = submit_through_the_page(world, Client())
    client = Client()
    for n in range(20):
        track(world, client, code, f"{n:04d}")
    assert track(world, client, code, "5678").status_code == 429
    # A citizen elsewhere, with another code, is not affected by that address's lock.
    other = submit_through_the_page(world, Client(), title="另一条")
    assert "另一条" in track(world, Client(), other, "5678", ip="10.7.7.7").content.decode()


def test_a_stranger_cannot_rate_with_an_open311_id(world):
    s = services.submit_suggestion(world.campaign, channel=Channel.WEB, title="路灯", text="不亮")
    services.answer_suggestion(s, by=world.office, version=s.version, text="已修好")
    response = Client().post(
        reverse("public_rate", args=[world.campaign.slug]),
        {"code": str(s.pk), "phone_last4": "", "rating": 1, "comment": "forged"},
    )
    assert response.status_code in (302, 404)
    assert Suggestion.objects.get(pk=s.pk).rating is None


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32", "10.0.0.0/8"])
def test_behind_a_trusted_proxy_each_citizen_counts_alone(world, rf):
    clientip._trusted.cache_clear()
    try:
        request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9")
        assert clientip.client_ip(request) == "1.2.3.4"
        forged = rf.get("/", REMOTE_ADDR="8.8.8.8", HTTP_X_FORWARDED_FOR="1.2.3.4")
        assert clientip.client_ip(forged) == "8.8.8.8"
        broken = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>")
        assert clientip.client_ip(broken) == "10.0.0.5"
        url = reverse("public_submit", args=[world.campaign.slug])
        data = {"title": "t", "text": "x", "website": ""}
        for n in range(8):
            posted = Client().post(
                url, data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"36.1.1.{n}"
            )
            assert posted.status_code == 302
        assert Suggestion.objects.count() == 8
    finally:
        clientip._trusted.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_from_one_address_store_no_more_than_the_limit(world):
    if connection.vendor == "sqlite":
        # The SQLite test database lives in memory with a shared cache, where a second writer
        # gets "table is locked" at once; a real database file waits (busy_timeout).
        pytest.skip("parallel writers need a database file or PostgreSQL")
    limit = int(world.campaign.rule("intake_limit_per_10min"))
    results: list[str] = []

    def post() -> None:
        try:
            services.submit_suggestion(
                world.campaign, channel=Channel.WEB, title="t", text="x", ip="10.5.5.5"
            )
            results.append("stored")
        except Exception as exc:
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("stored") == limit == Suggestion.objects.count()
