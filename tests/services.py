"""Local services some tests need: skipped where missing, required where CI says so."""

import os

import pytest

from scripts.wait_for_service import reachable


def require_redis(url: str) -> None:
    """Skip the test without Redis at `url`, or fail it under REQUIRE_REDIS (CI)."""
    if not reachable("redis", url):
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis is required (REQUIRE_REDIS) but not reachable at {url}")
        pytest.skip(f"Redis not reachable at {url}")
