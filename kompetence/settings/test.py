"""Settings for the test suite: fast hashing, mail kept in memory, in-memory SQLite
unless DATABASE_URL points at PostgreSQL."""

import os
import re

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# A real worker in a mail-outage test talks SMTP to a server the test starts and stops.
if os.environ.get("TEST_SMTP_PORT"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": int(os.environ["TEST_SMTP_PORT"]),
                "timeout": 5,
            },
        }
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if "DATABASE_URL" not in os.environ:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}

# Static files straight from the source folders; no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Parallel test workers (pytest-xdist) each get a Redis database of their own, so one
# worker clearing its cache never drops another worker's sessions.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    CACHES["default"]["LOCATION"] = re.sub(r"/\d*$", "", REDIS_URL) + f"/{14 - int(_worker or 0)}"

# On PostgreSQL the whole suite runs with row-level security on: every kommune scope
# switches to this role (kompetence.infra.rls), which the migrations create.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "kompetence_app")
