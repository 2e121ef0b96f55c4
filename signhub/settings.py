"""signhub settings: one module, read from the environment (12-factor).

Zero-config defaults give an embedded install (SQLite file, local-memory cache, tasks
in the database); DATABASE_URL / CACHE_URL / SIGNHUB_TASK_BACKEND switch to PostgreSQL,
Redis and real workers without code changes. An `.env` file beside manage.py is read
when present (`make env` writes one with fresh random keys; SIGNHUB_ENV_FILE names
another, or none when empty). The test suite's additions are in tests/settings.py.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_ENV_FILE = os.environ.get("SIGNHUB_ENV_FILE", str(BASE_DIR / ".env"))
if _ENV_FILE and Path(_ENV_FILE).is_file():
    environ.Env.read_env(_ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DATA_DIR = Path(env.str("SIGNHUB_DATA_DIR", default=str(BASE_DIR / "data")))

_DEV_SECRET = "signhub-insecure-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is off. Run `make env` to write a .env file "
            "with fresh keys, or set SECRET_KEY in the environment."
        )
    SECRET_KEY = _DEV_SECRET

# Fernet keys for provider credentials, newest first; older keys still decrypt so keys can
# be rotated (`manage.py rotate_credentials`). Without any, a key derived from SECRET_KEY
# is used — fine for development, but rotating SECRET_KEY would then lose the credentials.
SIGNHUB_ENCRYPTION_KEYS = env.list("SIGNHUB_ENCRYPTION_KEYS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` command is signhub.ops' (survives a locked
    # SQLite database); a management command name resolves to the first app listing it.
    "signhub.ops",
    "django_tasks_db",
    "signhub.core",
    # One app per provider; each registers its connector when Django starts.
    "signhub.connectors.box",
    "signhub.connectors.boldsign",
    "signhub.connectors.jsign",
    "signhub.connectors.bitrix24",
    "signhub.connect",
    "signhub.webhooks",
    "signhub.sandbox",
    "signhub.dashboard",
    "signhub.persist",
    "signhub.verify",
    "signhub.downloads",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (compressed, hashed names) straight from gunicorn: no separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so every later log line of the request carries its id.
    "signhub.ops.request_id.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside SessionMiddleware: decides, before it saves, whether the session is due a save.
    "signhub.ops.sessions.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Must stay last: turns axes' lockout flag into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# Axes first: it refuses locked-out logins before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "signhub.urls"
WSGI_APPLICATION = "signhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# An empty variable means "not set" (shells and CI often export empty values).
for _name in ("DATABASE_URL", "CACHE_URL"):
    if not os.environ.get(_name, "x").strip():
        del os.environ[_name]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'signhub.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers (the dashboard) run while a sync writes; IMMEDIATE transactions plus a
    # busy timeout make concurrent writers queue instead of failing with "database is locked".
    # Every transaction is short (no provider call ever runs inside one), so 10 s of waiting
    # is plenty; a lock held longer is a bug, and fails loudly rather than hanging pages.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.float("SIGNHUB_SQLITE_BUSY_TIMEOUT", default=10.0),
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                "PRAGMA wal_autocheckpoint=10000;"
            ),
        }
    )
    # A file (not :memory:) so threads in tests share one real database; one per test
    # process so concurrent runs never share it (pytest-django deletes it afterwards).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-signhub-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://signhub")}

TASKS = {
    "default": {
        "BACKEND": env.str("SIGNHUB_TASK_BACKEND", default="django_tasks_db.DatabaseBackend")
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:documents"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hashed, compressed names for production (`collectstatic` first: `make serve` does it).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Development has no collected files: look them up per request instead.
WHITENOISE_AUTOREFRESH = DEBUG

# Security: production-grade unless DEBUG.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Expiry counts from the last request (inactivity), to within this many seconds: a session
# is saved when changed or when its last save is this old, not on every request
# (signhub.ops.sessions).
SIGNHUB_SESSION_REFRESH_SECONDS = env.int("SIGNHUB_SESSION_REFRESH_SECONDS", default=60)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    # Preloading commits the whole domain (and subdomains) to HTTPS in browsers for good:
    # a site opts in deliberately, so the deploy check's reminder is silenced until then.
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Content Security Policy (django-csp 4): nothing inline, everything from our own origin.
# HTMX is configured through <meta name="htmx-config"> with includeIndicatorStyles off,
# so it never injects a <style> element.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Login throttling (django-axes): lock a username+IP after N failures for a while.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
if env.bool("SIGNHUB_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Probes talk plain HTTP to the process; never redirect them to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# signhub's own knobs.
# Where browsers and providers reach this signhub (scheme://host[:port], no path): OAuth
# redirect URIs, the Bitrix24 install URL and webhook URLs printed by `connect_info` and
# shown on the account page are built from it. Unset: the request's own host (and, in
# commands, http://localhost:8000).
SIGNHUB_PUBLIC_URL = env.str("SIGNHUB_PUBLIC_URL", default="").rstrip("/")
# Seconds to wait for a provider's token endpoint while connecting (one attempt: codes are
# single use and live ~30 s).
SIGNHUB_CONNECT_TIMEOUT = env.float("SIGNHUB_CONNECT_TIMEOUT", default=15.0)
# Requests someone waits for (downloads, "Test connection") answer within ~10 s: one
# attempt, connect and read timeouts in seconds (signhub/core/http/patience.py). The older
# names SIGNHUB_TEST_CONNECT_TIMEOUT / SIGNHUB_TEST_READ_TIMEOUT are still read.
SIGNHUB_INTERACTIVE_CONNECT_TIMEOUT = env.float(
    "SIGNHUB_INTERACTIVE_CONNECT_TIMEOUT",
    default=env.float("SIGNHUB_TEST_CONNECT_TIMEOUT", default=3.0),
)
SIGNHUB_INTERACTIVE_READ_TIMEOUT = env.float(
    "SIGNHUB_INTERACTIVE_READ_TIMEOUT", default=env.float("SIGNHUB_TEST_READ_TIMEOUT", default=6.0)
)
SIGNHUB_SANDBOX_ENABLED = env.bool("SIGNHUB_SANDBOX_ENABLED", default=DEBUG)
# The sandboxes' demo data ends near now instead of on fixed dates (`make demo` sets it).
SIGNHUB_SANDBOX_RELATIVE_DATES = env.bool("SIGNHUB_SANDBOX_RELATIVE_DATES", default=False)
SIGNHUB_ALLOW_INSECURE_HTTP = env.bool("SIGNHUB_ALLOW_INSECURE_HTTP", default=False)
SIGNHUB_SYNC_CONCURRENCY = env.int("SIGNHUB_SYNC_CONCURRENCY", default=4)
# Client-side provider rate limits (each connector's rate_per_second/burst). Only the demo's
# first sync from signhub's own sandboxes turns them off: no provider is behind them.
SIGNHUB_CLIENT_THROTTLE = env.bool("SIGNHUB_CLIENT_THROTTLE", default=True)
SIGNHUB_SYNC_LOCK_SECONDS = env.int("SIGNHUB_SYNC_LOCK_SECONDS", default=600)
# A complete listing that would flag more than this share of an account's documents removed
# is treated as suspicious: nothing is flagged until a second full sync (or an admin) confirms.
SIGNHUB_SWEEP_MAX_SHARE = env.float("SIGNHUB_SWEEP_MAX_SHARE", default=0.5)
# SQLite only: an FTS5 trigram index for the dashboard's free text (new and changed
# documents cost more to index; a rare term is found in milliseconds instead of a scan).
SIGNHUB_SQLITE_TEXT_INDEX = env.bool("SIGNHUB_SQLITE_TEXT_INDEX", default=True)
# Fetch a sync's next page from the provider while the current one is written.
SIGNHUB_SYNC_PREFETCH = env.bool("SIGNHUB_SYNC_PREFETCH", default=True)
# The list counts matching documents up to this many ("10,000+" past it; estimates above).
SIGNHUB_COUNT_CAP = env.int("SIGNHUB_COUNT_CAP", default=10_000)
SIGNHUB_STALE_AFTER_MINUTES = env.int("SIGNHUB_STALE_AFTER_MINUTES", default=120)
SIGNHUB_HTTP_TIMEOUT = env.float("SIGNHUB_HTTP_TIMEOUT", default=30.0)
SIGNHUB_HTTP_MAX_ATTEMPTS = env.int("SIGNHUB_HTTP_MAX_ATTEMPTS", default=6)
SIGNHUB_HTTP_MAX_WAIT = env.float("SIGNHUB_HTTP_MAX_WAIT", default=300.0)
# Cap provider request rates across processes through the cache: unset = whenever the cache
# is shared (Redis); true/false to force.
SIGNHUB_SHARED_THROTTLE = env.bool("SIGNHUB_SHARED_THROTTLE", default=None)
SIGNHUB_DOWNLOAD_FILENAME = env.str(
    "SIGNHUB_DOWNLOAD_FILENAME", default="{date} {title} ({provider}){ext}"
)
SIGNHUB_EVIDENCE_MAX_DOCS = env.int("SIGNHUB_EVIDENCE_MAX_DOCS", default=500)
# Persist API: body limit, and token-less access from listed CIDRs (off unless set).
SIGNHUB_PERSIST_MAX_BODY = env.int("SIGNHUB_PERSIST_MAX_BODY", default=5 * 1024 * 1024)
SIGNHUB_PERSIST_OPEN_NETWORKS = env.list("SIGNHUB_PERSIST_OPEN_NETWORKS", default=[])
SIGNHUB_PERSIST_OPEN_NETWORKS_CAN_WRITE = env.bool(
    "SIGNHUB_PERSIST_OPEN_NETWORKS_CAN_WRITE", default=True
)
# A deleted chain stays restorable (admin) this many days; `prune` then removes it.
SIGNHUB_PERSIST_TRASH_DAYS = env.int("SIGNHUB_PERSIST_TRASH_DAYS", default=30)
# Store a `cms` that is neither CMS SignedData nor XML with a ds:Signature (off: 400).
SIGNHUB_PERSIST_ALLOW_OPAQUE = env.bool("SIGNHUB_PERSIST_ALLOW_OPAQUE", default=False)

# Webhooks (signhub.webhooks): body cap, how long delivery ids are remembered for the
# replay check, how long events for one account are gathered before the refresh runs (and
# the least time between two refreshes of one account while events keep coming), how
# many named documents are fetched one by one before an incremental sync is cheaper, and
# when the account page warns that no delivery arrived while documents changed.
SIGNHUB_WEBHOOK_MAX_BODY = env.int("SIGNHUB_WEBHOOK_MAX_BODY", default=256 * 1024)
SIGNHUB_WEBHOOK_REPLAY_HOURS = env.int("SIGNHUB_WEBHOOK_REPLAY_HOURS", default=24)
SIGNHUB_WEBHOOK_DEBOUNCE_SECONDS = env.float("SIGNHUB_WEBHOOK_DEBOUNCE_SECONDS", default=1.0)
SIGNHUB_WEBHOOK_COOLDOWN_SECONDS = env.float("SIGNHUB_WEBHOOK_COOLDOWN_SECONDS", default=3.0)
SIGNHUB_WEBHOOK_MAX_TARGETS = env.int("SIGNHUB_WEBHOOK_MAX_TARGETS", default=20)
SIGNHUB_WEBHOOK_QUIET_HOURS = env.int("SIGNHUB_WEBHOOK_QUIET_HOURS", default=24)
# JSign has no webhooks: accounts with documents in progress sync incrementally this often.
SIGNHUB_JSIGN_ACTIVE_POLL_MINUTES = env.int("SIGNHUB_JSIGN_ACTIVE_POLL_MINUTES", default=2)

# Signature verification (signhub.verify): trust anchors as a PEM bundle; none = no
# signature can pass (indeterminate "no trust anchor"). Revocation data is fetched online
# (CRL/OCSP URLs in the certificates) only when enabled.
SIGNHUB_TRUST_ROOTS = env.str("SIGNHUB_TRUST_ROOTS", default="")
SIGNHUB_TRUST_CRLS = env.str("SIGNHUB_TRUST_CRLS", default="")
SIGNHUB_VERIFY_FETCH_REVOCATION = env.bool("SIGNHUB_VERIFY_FETCH_REVOCATION", default=False)
SIGNHUB_VERIFY_MAX_BYTES = env.int("SIGNHUB_VERIFY_MAX_BYTES", default=100 * 1024 * 1024)
SIGNHUB_VERIFY_INLINE_BYTES = env.int("SIGNHUB_VERIFY_INLINE_BYTES", default=5 * 1024 * 1024)
SIGNHUB_EVIDENCE_VERIFY = env.bool("SIGNHUB_EVIDENCE_VERIFY", default=True)

# Operations (signhub.ops): schedules, alerts, retention.
SIGNHUB_ALERT_AFTER_FAILURES = env.int("SIGNHUB_ALERT_AFTER_FAILURES", default=3)
SIGNHUB_QUEUED_RUN_TIMEOUT_MINUTES = env.int("SIGNHUB_QUEUED_RUN_TIMEOUT_MINUTES", default=60)
SIGNHUB_SYNC_RUN_RETENTION_DAYS = env.int("SIGNHUB_SYNC_RUN_RETENTION_DAYS", default=90)
SIGNHUB_TASK_RESULT_RETENTION_DAYS = env.int("SIGNHUB_TASK_RESULT_RETENTION_DAYS", default=14)
# Extra apps to load (e.g. a site's own connector package; the scale-out test uses it).
INSTALLED_APPS += env.list("SIGNHUB_EXTRA_APPS", default=[])

# LOG_FORMAT=json: one JSON object per line with the request id (signhub.ops.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "signhub.ops.logs.RequestIdFilter"},
        "scrub": {"()": "signhub.ops.logs.ScrubFilter"},
        "sandbox_answers": {"()": "signhub.ops.logs.SandboxAnswersFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "signhub.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "scrub"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's access log, through the scrubbing console handler (query strings with
        # secrets are redacted); ACCESS_LOG_LEVEL=WARNING keeps only 4xx/5xx lines.
        "django.server": {
            "handlers": ["console"],
            "level": env.str("ACCESS_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        "django.request": {"filters": ["sandbox_answers"]},
        # axes logs "AXES: BEGIN version …" at INFO whenever Django starts (every command).
        "axes.apps": {"level": "WARNING"},
        # Signature validators log every failed check as a warning with a traceback; the
        # verdict already says it, so only their errors reach the log.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
        "signxml": {"level": "ERROR"},
    },
}
