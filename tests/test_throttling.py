"""Throttles count in the shared cache (Redis), and the admin login locks out after failures."""

import os
import pickle

import pytest
import redis
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import UserFactory
from tests.services import require_redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    require_redis(REDIS_URL)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "test-throttle",
        }
    }
    server = redis.Redis.from_url(REDIS_URL)
    yield server
    for key in server.scan_iter("test-throttle:*"):
        server.delete(key)


def test_outbound_throttle_counts_in_redis_for_every_process(api_client, user, redis_cache, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"outbound_calls": "3/min"})

    statuses = [api_client.post("/api/calls/outbound", {}, format="json").status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]
    # What another gunicorn process would read: the request history lives in Redis, not here.
    history = redis_cache.get(f"test-throttle:1:throttle_outbound_calls_{user.pk}")
    assert len(pickle.loads(history)) == 3


@pytest.fixture
def admin_user():
    return UserFactory(username="jefa", is_staff=True, is_superuser=True, password="la-buena-123")


def _login(client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "jefa", "password": password})


def test_admin_login_locks_out_after_repeated_failures(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "mala").status_code == 200
    assert _login(client, "mala").status_code == 429

    response = _login(client, "la-buena-123")

    assert response.status_code == 429
    assert "bloqueado" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_works_before_the_limit(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "mala")

    response = _login(client, "la-buena-123")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)
