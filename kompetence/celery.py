"""The Celery application. Without REDIS_URL tasks run in-process (see settings and
`kompetence.infra.runner`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompetence.settings.local")

app = Celery("kompetence", task_cls="kompetence.infra.runner:BackgroundTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
