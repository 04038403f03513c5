"""Kompetence: the Django project and the organisation core."""

from kompetence.celery import app as celery_app

__all__ = ["celery_app"]
