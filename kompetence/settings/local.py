"""Settings for `make demo` and development on a laptop."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SITE_SCHEME = env("SITE_SCHEME", default="http")
# make demo serves on port 8000; links in e-mails follow.
SITE_PORT = env("SITE_PORT", default=":8000")

# Static files straight from the source folders; no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
