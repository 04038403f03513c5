"""Production: PostgreSQL, Redis, HTTPS only. Refuses to start without a real secret."""

from .base import *  # noqa: F403
from .base import env, mailers_from_env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# A per-process SAML key would differ between the web processes: SAML needs the files.
SAML_DEV_KEYS = False

# The web, worker and beat processes log in as DATABASE_APP_ROLE, which cannot leave
# row-level security; only the migrate step logs in as the owner (and sets this false).
DATABASE_LOGIN_BEHIND_RLS = env.bool("DATABASE_LOGIN_BEHIND_RLS", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's health probe speaks plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Cookies go over HTTPS only. SECURE_COOKIES=false (with SECURE_SSL_REDIRECT=false and
# SITE_SCHEME=http) tries the production stack on plain HTTP on a real host name, e.g. in
# a test network; `check --deploy` then warns, as it should.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

STORAGES = {
    "default": {
        "BACKEND": env("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

MAILERS = mailers_from_env("django.core.mail.backends.smtp.EmailBackend")
