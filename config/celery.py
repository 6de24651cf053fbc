import os

from celery import Celery

# `celery -A config` is a production entry point; manage.py sets the local settings first.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("agentelocal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
