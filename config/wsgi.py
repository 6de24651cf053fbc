import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django_application = get_wsgi_application()

from calls.bridge_fast_path import BridgeSaveFastPath  # noqa: E402 (needs the apps loaded)

application = BridgeSaveFastPath(django_application)
