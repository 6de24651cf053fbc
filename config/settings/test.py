"""Settings for the test suite. The database comes from DATABASE_URL (SQLite or MariaDB)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789"
BRIDGE_TOKEN = "test-bridge-token"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LIVEKIT_URL = ""
LIVEKIT_API_KEY = ""
LIVEKIT_API_SECRET = ""
SIP_OUTBOUND_TRUNK_ID = ""
TELEPHONY_BACKEND = "livekit"
CALL_DIAL_RETRY_BACKOFF = 0.0
CALL_HANGUP_DELAY_SECONDS = 0.0
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"outbound_calls": "1000/min"}}  # noqa: F405
LANGUAGE_CODE = "es"
# Each test clears the cache (tests/conftest.py): never a shared Redis from the environment.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CAMPAIGN_DIALER = "inline"
