"""Make Django usable in a voice-worker process that was not started by manage.py.

livekit-agents runs every job in a fresh process (forkserver) that re-imports the module defining
the entrypoint, so that module imports this one before anything touching models.
"""

import os

import django
from django.apps import apps

# A job process inherits its parent's DJANGO_SETTINGS_MODULE; alone, it is in production.
DEFAULT_SETTINGS_MODULE = "config.settings.production"


def ensure_django() -> None:
    if apps.ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
    django.setup()


ensure_django()
