"""The Celery app: settings come from Django's (CELERY_* names), tasks from
each app's tasks.py. Run a worker and the beat with
`celery -A config worker -B -l info` once CELERY_BROKER_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("boutique")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
