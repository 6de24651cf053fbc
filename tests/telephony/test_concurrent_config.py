"""Concurrent first saves of the telephony configuration, each on its own thread and connection."""

import os
import threading

import pytest

from telephony.models import TelephonyConfig
from telephony.services import telephony_config_save_default

THREADS = 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "sqlite" in os.environ.get("DATABASE_URL", "sqlite"),
    reason="The in-memory shared-cache SQLite test database fails concurrent writers at once.",
)
def test_concurrent_first_saves_create_exactly_one_config():
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    created: list[bool] = []

    def save(index: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            _config, was_created = telephony_config_save_default(
                name=f"Hilo {index}", from_numbers=["+34944771453"], max_concurrent_calls=index + 1
            )
            created.append(was_created)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(created) == [False] * (THREADS - 1) + [True]
    assert TelephonyConfig.objects.count() == 1
    assert TelephonyConfig.objects.filter(is_default=True).count() == 1
