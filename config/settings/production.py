"""Production settings: every secret must come from the environment, nothing has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

# The development fallbacks of config.settings.local, refused here even if copied into .env.
_DEVELOPMENT_VALUES = {"django-insecure-local-development-only-key", "dev-bridge-token"}


def required(name: str, *, min_length: int = 1) -> str:
    """The variable's value, or no start: missing, empty, short or development values are refused."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set (and not empty) with production settings.")
    if len(value) < min_length or value in _DEVELOPMENT_VALUES or value.startswith("django-insecure"):
        raise ImproperlyConfigured(
            f"{name} is too weak for production: use at least {min_length} random characters."
        )
    return value


if env.bool("DJANGO_DEBUG", default=False):
    raise ImproperlyConfigured("DJANGO_DEBUG must be off with production settings.")
DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY", min_length=50)
# No embedded fallbacks in production: a real database and a real broker, or no start.
DATABASE_URL = required("DATABASE_URL")
CELERY_BROKER_URL = required("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
BRIDGE_TOKEN = required("BRIDGE_TOKEN", min_length=32)
# Throttles and login lockouts count in Redis, shared by every gunicorn process; by default the
# broker's Redis server (CACHE_URL may point elsewhere, e.g. another database number).
CACHE_URL = env.str("CACHE_URL", default="") or CELERY_BROKER_URL
if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "CACHE_URL must be a Redis URL with production settings (throttles are shared)."
    )
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set with production settings.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# WhiteNoise serves the admin's static files straight from gunicorn, right after security.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
