"""The Celery app. ``workers/`` is not a Django app, so its task modules are named here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kip_service.settings.local")

app = Celery("kip_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.include = ["workers.tasks"]
