"""Settings shared by every environment.

Everything that differs between a laptop, CI and production comes from environment
variables (see the README's configuration table). With none set, the project runs on
an embedded SQLite database and Celery executes tasks in-process.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)

# Kommuner live on subdomains of this domain: fredericia.<KOMPETENCE_DOMAIN>.
KOMPETENCE_DOMAIN = env("KOMPETENCE_DOMAIN", default="localhost")
# Links in e-mails: <scheme>://<slug>.<KOMPETENCE_DOMAIN>/...
SITE_SCHEME = env("SITE_SCHEME", default="https")
SITE_PORT = env("SITE_PORT", default="")
# The platform's own accessibility statement (tilgængelighedserklæring, made in the WAS
# tool), linked in the bare domain's footer and for a kommune that has not set its own;
# empty: our own page /tilgaengelighed/.
ACCESSIBILITY_STATEMENT_URL = env("ACCESSIBILITY_STATEMENT_URL", default="")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[KOMPETENCE_DOMAIN, f".{KOMPETENCE_DOMAIN}", "127.0.0.1", "[::1]"],
)

INSTALLED_APPS = [
    # Not mounted anywhere (operators use the console app); installed because the
    # migration that put its log table under row-level security depends on it.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    "django_htmx",
    "guardian",
    "axes",
    "kompetence",
    "kompetence.saml",
    "profiles",
    "mus",
    "catalogue",
    "annualcycle",
    "kompetence.api",
    "kompetence.bench",
    "kompetence.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kompetence.infra.sessions.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kompetence.infra.tenancy.KommuneMiddleware",
    "kompetence.infra.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kompetence.infra.htmx.SignedOutMiddleware",
    "kompetence.infra.htmx.VaryOnHtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The read-only BI API (kompetence.api): calls per token, "number/period" (s, min, h, d).
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="60/min")

# `make bench`: a query count on every response and a trivial page as the floor.
BENCH_DIAGNOSTICS = env.bool("BENCH_DIAGNOSTICS", default=False)
if BENCH_DIAGNOSTICS:
    MIDDLEWARE.insert(0, "kompetence.infra.diagnostics.QueryCountHeaderMiddleware")

ROOT_URLCONF = "kompetence.urls"
# The bare domain (no kommune label) is served by this smaller URL configuration.
PUBLIC_URLCONF = "kompetence.urls_public"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kompetence.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "kompetence.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database takes concurrent autosaves: readers never wait for a writer
    # (WAL), a writer waits its turn for up to 20 s instead of failing with "database is
    # locked", and a transaction takes the write lock when it begins, so two transactions
    # never both read and then deadlock on upgrading to write.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
# Connections are kept between requests and checked before reuse, so after a database
# restart the next request opens a fresh one by itself.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: the role every kommune scope runs as, so row-level security applies even
# when the database user is a superuser or owns the tables (kompetence.infra.rls). Empty: the
# database user itself must be neither.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")
# PostgreSQL: refuse a database login that could leave row-level security (a superuser,
# the tables' owner). On in production, where only the migrate step logs in as the owner.
DATABASE_LOGIN_BEHIND_RLS = env.bool("DATABASE_LOGIN_BEHIND_RLS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    # A Redis outage must not sign everyone out or break a page: every cached value can
    # be worked out again, so cache errors become misses (kompetence.infra.cache), sessions
    # live in the database with Redis in front, and a hanging Redis is given up on fast.
    CACHES = {
        "default": {
            "BACKEND": "kompetence.infra.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kompetence",
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=2.0),
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "kompetence.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses before any password is checked while a login or address is locked.
    "axes.backends.AxesStandaloneBackend",
    "kompetence.auth.KommuneModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Usernames are unique per kommune, not globally; KommuneModelBackend looks users up
# within the kommune of the request, so Django's global-uniqueness warning does not apply.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2 (Django's recommended hasher) for every new or changed password; a password
# stored under an older hasher below still signs in, and Django stores it again with
# Argon2 at that sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins (kompetence/infra/login_locks.py on django-axes). LOGIN_FAILURE_LIMIT failures
# lock one login (kommune and username) from one address only, so nobody can lock
# another person out; for LOGIN_LOCKOUT_COOLOFF_MINUTES, or with
# LOGIN_LOCK_UNTIL_HR_REOPENS until the kommune's HR reopens it. An address is locked
# for everything after LOGIN_ADDRESS_FAILURE_LIMIT failures over all logins within
# LOGIN_ADDRESS_LOCK_MINUTES. A success resets only its own (login, address) count.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_LOCKOUT_COOLOFF_MINUTES = (
    None
    if env.bool("LOGIN_LOCK_UNTIL_HR_REOPENS", default=False)
    else env.int("LOGIN_LOCK_MINUTES", default=15)
)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=100)
LOGIN_ADDRESS_LOCK_MINUTES = env.int("LOGIN_ADDRESS_LOCK_MINUTES", default=15)
AXES_HANDLER = "kompetence.infra.login_locks.LoginLockHandler"
AXES_FAILURE_LIMIT = "kompetence.infra.login_locks.pair_failure_limit"
# No AXES_COOLOFF_TIME: LoginLockHandler applies LOGIN_LOCKOUT_COOLOFF_MINUTES itself.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "kompetence.auth.login_key"
AXES_LOCKOUT_CALLABLE = "kompetence.accounts.locked_out"
AXES_RESET_ON_SUCCESS = True
# Refused attempts while locked are not counted: a user whose address is locked does
# not pile up failures on their own login, and an attacker does not prolong a lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Behind a load balancer: how many proxies add X-Forwarded-For (0: use the peer address).
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    if env.int("PROXY_COUNT", default=0)
    else ["REMOTE_ADDR"]
)

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes.
# The session is written when it changes and otherwise at most once a minute, not on
# every request (kompetence.infra.sessions): the time-out is kept to the minute.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=60) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
# One date style per language: "2. december 2026" / "2 December 2026".
FORMAT_MODULE_PATH = ["kompetence.formats"]

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"  # None in test and local settings
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The web app manifest (add to the home screen on a phone) with its registered type.
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}


def mailers_from_env(default_backend: str) -> dict:
    """Django 6.1's MAILERS from EMAIL_* variables; SMTP options only for the SMTP backend."""
    backend = env("EMAIL_BACKEND", default=default_backend)
    mailer: dict = {"BACKEND": backend}
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        mailer["OPTIONS"] = {
            "host": env("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=25),
            "username": env("EMAIL_HOST_USER", default=""),
            "password": env("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            "timeout": 20,
        }
    return {"default": mailer}


# Without configuration, e-mails are printed to the console (the demo shows them there).
MAILERS = mailers_from_env("django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kompetence <noreply@kompetence.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without REDIS_URL every task runs in-process: in a web process on one
# background thread after the response, elsewhere (commands, tests) at once, in the
# caller's thread (kompetence.infra.runner).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died unacknowledged is delivered again after this many seconds
# (the workers look for such tasks every tenth restore interval).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
}
# Background work a page shows as pending (plan PDFs, gap reports, imports, round
# openings) that has waited this long is sent again by the sweeper; work sent this many
# times is marked failed with a reason (kompetence.infra.background).
BACKGROUND_STALE_MINUTES = env.int("BACKGROUND_STALE_MINUTES", default=5)
BACKGROUND_MAX_ATTEMPTS = env.int("BACKGROUND_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE = {
    # Work whose task failed silently, died with its worker or was lost with the queue.
    "background-work-sweeper": {
        "task": "kompetence.sweep_work_all",
        "schedule": 60.0,
    },
    # Deadline reminders every morning; safe to run more than once (see annualcycle.reminders).
    "deadline-reminders": {
        "task": "annualcycle.send_reminders_all",
        "schedule": crontab(hour=6, minute=30),
    },
    # Reminders claimed but not sent (their task lost or out of retries) are queued again.
    "pending-reminders": {
        "task": "annualcycle.requeue_reminders_all",
        "schedule": crontab(minute="*/10"),
    },
    # Development plans' follow-up dates remind both parties; safe to run more than
    # once (see mus.reminders).
    "plan-follow-up-reminders": {
        "task": "mus.send_follow_up_reminders_all",
        "schedule": crontab(hour=6, minute=45),
    },
    # Mandatory training: reminders before a certificate expires and the escalation
    # after; safe to run more than once (see catalogue.training.reminders).
    "training-expiry-reminders": {
        "task": "catalogue.send_training_reminders_all",
        "schedule": crontab(hour=6, minute=40),
    },
    # Expiry reminders claimed but not sent (their task lost or out of retries).
    "pending-training-reminders": {
        "task": "catalogue.requeue_training_reminders_all",
        "schedule": crontab(minute="5-59/10"),
    },
    # Positions that start or end today change the dashboards' people counts.
    "figures-for-today": {
        "task": "annualcycle.figures_for_today_all",
        "schedule": crontab(hour=0, minute=5),
    },
    # GDPR retention, for the kommuner that have switched it on after the dry run.
    "retention": {
        "task": "annualcycle.apply_retention_all",
        "schedule": crontab(hour=2, minute=15),
    },
    # The audit log kept for each kommune's period (six months by default), as the
    # common data-processing agreement asks; older entries are deleted.
    "audit-retention": {
        "task": "kompetence.purge_audit_all",
        "schedule": crontab(hour=2, minute=30),
    },
}

# django-guardian: no anonymous user row; every grant belongs to a kommune's person.
ANONYMOUS_USER_NAME = None

# Content-Security-Policy: only our own scripts and styles; no inline code anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads larger than this are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Import files (organisation, catalogue, frameworks) larger than this are refused with a
# message; 45,000 people are about 7 MB of CSV.
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=25)
# What an import file may hold once read (kompetence.infra.tabular): an XLSX is a ZIP, and a
# 41 KB one can unpack to 40 MB. 45,000 people are about 25 MB of unpacked XLSX, packed
# about 10 times; a ZIP member unpacking more than the ratio is refused as a zip bomb.
IMPORT_MAX_UNPACKED_MB = env.int("IMPORT_MAX_UNPACKED_MB", default=100)
IMPORT_MAX_UNPACK_RATIO = env.int("IMPORT_MAX_UNPACK_RATIO", default=100)
# Proof a person uploads for their mandatory training (a PDF or a photo of a diploma)
# larger than this is refused with a message.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=250_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
# Excel's own limit of a cell: every file Excel writes fits.
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=32_767)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools narrate every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # In-process (eager) tasks would log every success.
        "celery.app.trace": {"level": "WARNING"},
        # django-axes logs every reset of the failure count at INFO; lockouts are WARNING.
        "axes": {"level": "WARNING"},
        # pysaml2 logs each assertion's NameID and attributes at INFO (personal data);
        # xmlschema, which it loads, narrates its schema loading.
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
    },
}
FORM_RENDERER = "kompetence.forms.FormRenderer"

# SAML 2.0 login (kompetence.saml): the service provider's signing and decryption key and
# its certificate, PEM files, one pair for every kommune (each kommune's metadata carries
# the certificate). Without them a throwaway pair is made per process, which suits tests
# and the demo only: production refuses to start SAML without the files (SAML_DEV_KEYS).
SAML_SP_KEY_FILE = env("SAML_SP_KEY_FILE", default="")
SAML_SP_CERT_FILE = env("SAML_SP_CERT_FILE", default="")
SAML_DEV_KEYS = env.bool("SAML_DEV_KEYS", default=True)
