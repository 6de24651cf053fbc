"""Developer settings: the embedded defaults `make run` uses (SQLite, eager Celery)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The built-in key is only ever used with DEBUG on.
SECRET_KEY = (
    env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only-key")
    if DEBUG
    else env("DJANGO_SECRET_KEY")
)
BRIDGE_TOKEN = env("BRIDGE_TOKEN", default="dev-bridge-token")
CORS_ALLOWED_ORIGINS = env.list(
    "CORS_ALLOWED_ORIGINS", default=["http://localhost:5173", "http://localhost:3000"]
)
