"""Settings shared by every environment.

Everything that differs between machines comes from the environment through
django-environ. With nothing set, the portal runs on the embedded defaults
(DESIGN.md "Running"): SQLite in WAL mode, kombu's filesystem broker and a
file-based cache under ``var/``, email to the console.
"""

from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE, NONE, SELF

# Private files: local disk, or object storage with STORAGE_URL.
from .storage import PRIVATE_FILE_URL_SECONDS, STORAGE_ORIGINS, STORAGE_URL, STORAGES  # noqa: F401

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base used in emails, where there is no request to build links from. Unset, it is the
# address `make run` serves (the Procfile's runserver listens on WEB_PORT), so a portal started on
# another port sends links to that port.
WEB_PORT = env.int("WEB_PORT", default=8000)
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{WEB_PORT}").rstrip("/")
# How many reverse proxies put an X-Forwarded-For hop in front of us (0: trust
# only REMOTE_ADDR). A wrong number lets clients forge the logged address.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# allauth reads the same count for its per-address limits and the sessions
# list (its adapter asks marketplace.http.client_ip, see marketplace.adapters).
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "marketplace",
    "actors",
    "creators",
    "usage_requests",
    "moderation",
    "portal",
]

MIDDLEWARE = [
    "marketplace.middleware.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above whitenoise, so static files are compressed too (see its docstring).
    "marketplace.middleware.TextCompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "marketplace.api.throttling.AddressLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "moderation.access.StaffMFAMiddleware",
    "marketplace.middleware.AuthorizationFailureAuditMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
AUTH_USER_MODEL = "marketplace.User"

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
                "csp.context_processors.nonce",
                "marketplace.context_processors.portal",
            ],
        },
    },
]


# --- Database ---------------------------------------------------------------
def database_config(url: str | None, *, sqlite_path: Path) -> dict:
    """The default database from DATABASE_URL, or embedded SQLite in WAL mode.

    PostgreSQL goes through psycopg 3 with its connection pool (so persistent
    connections are off: the pool keeps them). SQLite uses WAL and immediate
    transactions so the web, worker and beat processes can share the file.
    """
    if url:
        config = environ.Env.db_url_config(url)
        if config["ENGINE"] == "django.db.backends.postgresql":
            config["CONN_MAX_AGE"] = 0
            # With the pool, Django passes psycopg-pool's check_connection as
            # its ``check``: each connection is tried before it is handed out,
            # since after a PostgreSQL restart the pool's old ones are dead.
            config["CONN_HEALTH_CHECKS"] = True
            config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 10, "timeout": 10}
            # The portal's queries are short: compiling one (JIT, 20-50 ms)
            # whenever its estimate crosses jit_above_cost would cost more
            # than running it (the roster's search plans do, at a million actors).
            config["OPTIONS"].setdefault("options", "-c jit=off")
        config["ATOMIC_REQUESTS"] = False
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": sqlite_path,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASE_URL = env("DATABASE_URL", default="")
DATABASES = {"default": database_config(DATABASE_URL, sqlite_path=VAR_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Cache, broker ----------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Short socket timeouts so /readyz reports a dead Redis instead of hanging.
REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}


def cache_config(redis_url: str, *, cache_dir: Path) -> dict:
    """Redis when configured, otherwise a file cache every local process shares.

    allauth's rate limits live in this cache, so it must be shared between
    processes: a per-process memory cache would let limits be dodged. While
    Redis does not answer, each process falls back to its own memory
    (``marketplace.cache``): looser limits for the outage instead of 500s.
    """
    if redis_url:
        return {
            "BACKEND": "marketplace.cache.FailoverRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "consentcast",
            "OPTIONS": REDIS_SOCKET_OPTIONS,
        }
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(cache_dir),
    }


# "local": each process's own memory, for what is cheaper to keep than to
# make again and the same for everyone who asks: rendered template fragments
# ({% cache ... using="local" %}), roster cards and compiled roster statements. Every key
# names everything its value depends on (roles, language, the filters), so
# nothing is invalidated and nothing is shared between processes; asking
# Redis would cost what the value saves.
LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "local",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 6000},  # about 2 kB each at most (a card)
}
CACHES = {"default": cache_config(REDIS_URL, cache_dir=VAR_DIR / "cache"), "local": LOCAL_CACHE}

CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # 35 minutes: the longest a message is held unacknowledged (marketplace/celery.py says why).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {**REDIS_SOCKET_OPTIONS, "visibility_timeout": 2100}
else:
    CELERY_BROKER_URL = "filesystem://"
    # Where the web, worker and beat processes exchange messages.
    CELERY_FILESYSTEM_QUEUE = env("CELERY_FILESYSTEM_QUEUE", default=str(CELERY_DATA_DIR / "queue"))
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {  # type: ignore[no-redef]  # one per branch
        "data_folder_in": CELERY_FILESYSTEM_QUEUE,
        "data_folder_out": CELERY_FILESYSTEM_QUEUE,
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        # kombu keeps fanout/control exchanges here (by default: ./control).
        "control_folder": env("CELERY_FILESYSTEM_CONTROL", default=str(CELERY_DATA_DIR / "control")),
        "store_processed": False,
    }
    # kombu's filesystem transport expects its folders to exist.
    for _folder in ("data_folder_in", "processed_folder", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_folder]).mkdir(parents=True, exist_ok=True)
# Results are not used for flow control: state lives in the database rows.
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
# One queue for the portal's tasks; tests give their worker its own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="consentcast")
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "celerybeat-schedule")
# How often beat queues the sweep that re-sends emails whose task was lost
# (e.g. the broker was down when the change committed), in seconds.
EMAIL_REQUEUE_SWEEP_SECONDS = env.int("EMAIL_REQUEUE_SWEEP_SECONDS", default=30)
# How often beat sends the request sweeps (expire; remind runs at 5x this).
REQUEST_SWEEP_SECONDS = env.int("REQUEST_SWEEP_SECONDS", default=60)


# --- Auth and accounts ------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "marketplace.backends.ModelBackend",
    "marketplace.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "marketplace.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ConsentCast] "
# Sensitive moderator actions (suspending, voiding, hiding) need a sign-in
# within this many seconds (moderation.access.moderator_view, sensitive=True).
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("ACCOUNT_REAUTHENTICATION_TIMEOUT", default=600)
ACCOUNT_SESSION_REMEMBER = None
# allauth's defaults, stated so they are visible: they live in the shared cache.
# "key" of login_failed is the account AND the address (marketplace.adapters):
# wrong passwords from one place do not lock the owner out everywhere.
# login_account counts every password sign-in of an account from any address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login_account": "30/h/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
# The escape hatch from a locked password sign-in: a code sent by email.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ConsentCast"
USERSESSIONS_TRACK_ACTIVITY = True


# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
# Our own formats where Django's differ from what readers expect (marketplace/formats).
FORMAT_MODULE_PATH = ["marketplace.formats"]
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = VAR_DIR / "staticfiles"
# Outside production, whitenoise serves straight from the app and static
# folders (no collectstatic needed for `make run` or the browser tests).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No MEDIA_URL route is ever mounted: likeness files are served by views that
# check who asks (DESIGN.md "Non-negotiables").
MEDIA_URL = "/media-not-public/"
# STORAGES: marketplace/settings/storage.py (local disk, or object storage with STORAGE_URL).

# Upload limits: forms carry small fields; images arrive as files and are
# capped again by the image sanitizer.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024


# --- Email ------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL", default="consolemail://")
# EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, ... from the URL.
globals().update({k: v for k, v in environ.Env.email_url_config(EMAIL_URL).items() if v is not None})
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ConsentCast <no-reply@consentcast.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# --- Security headers -------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # data: for the TOTP QR code allauth renders inline; the object store
        # for private images, answered as a presigned redirect.
        "img-src": [SELF, "data:", *STORAGE_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- Uploaded images (marketplace.images.sanitize_image) ----------------------
IMAGE_UPLOAD_MAX_BYTES = env.int("IMAGE_UPLOAD_MAX_BYTES", default=15 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env.int("IMAGE_UPLOAD_MAX_PIXELS", default=40_000_000)
# How long a data-export download link stays valid.
DATA_EXPORT_LINK_SECONDS = env.int("DATA_EXPORT_LINK_SECONDS", default=7 * 24 * 3600)
# A photo's renditions or a data export whose task was lost is queued again (actors.tasks.requeue_stuck_work):
STUCK_WORK_SWEEP_SECONDS = env.int("STUCK_WORK_SWEEP_SECONDS", default=60)  # how often the sweep runs
STUCK_WORK_AFTER_SECONDS = env.int("STUCK_WORK_AFTER_SECONDS", default=120)  # lost: pending past task_time_limit=90
STUCK_WORK_MAX_ATTEMPTS = env.int("STUCK_WORK_MAX_ATTEMPTS", default=3)  # queued this often in all, then failed

# Usage requests expire this many days after they were handed to the side
# that must act; contracts are cancelled when not signed within CONTRACT_SIGN_DAYS.
# Retention (marketplace/schedule.py runs the sweeps daily). Read
# notifications and audit rows older than these many days are deleted;
# access-log rows are never deleted unarchived: whole calendar months older
# than ACCESS_LOG_ARCHIVE_DAYS move into a gzipped CSV per actor and month
# in private storage (actors.services.archive). Never under 30 days, so a
# typo cannot empty a log.
RETENTION_MIN_DAYS = 30
NOTIFICATION_RETENTION_DAYS = max(env.int("NOTIFICATION_RETENTION_DAYS", default=365), RETENTION_MIN_DAYS)
AUDIT_RETENTION_DAYS = max(env.int("AUDIT_RETENTION_DAYS", default=730), RETENTION_MIN_DAYS)
ACCESS_LOG_ARCHIVE_DAYS = max(env.int("ACCESS_LOG_ARCHIVE_DAYS", default=365), RETENTION_MIN_DAYS)
RETENTION_SWEEP_CHUNK = env.int("RETENTION_SWEEP_CHUNK", default=1000)  # rows per delete statement
RETENTION_SWEEP_HOUR = env.int("RETENTION_SWEEP_HOUR", default=3)  # UTC hour of the daily sweeps

USAGE_REQUEST_EXPIRY_DAYS = env.int("USAGE_REQUEST_EXPIRY_DAYS", default=7)
CONTRACT_SIGN_DAYS = env.int("CONTRACT_SIGN_DAYS", default=7)
# Public licence checks (/verify/<code>/): requests per IP per minute.
LICENCE_CHECKS_PER_MINUTE = env.int("LICENCE_CHECKS_PER_MINUTE", default=30)
# Reports one user may file per hour (moderation): enough for real abuse,
# too few to flood the queue.
REPORTS_PER_HOUR = env.int("REPORTS_PER_HOUR", default=10)


# --- API (marketplace.api, each app's api.py): marketplace/settings/api.py -------
from .api import *  # noqa: E402, F403

# C2PA signer of delivered copies (marketplace.provenance); no cert and key set: a dev chain made in C2PA_DEV_DIR.
C2PA_SIGNING_CERT, C2PA_SIGNING_KEY = env("C2PA_SIGNING_CERT", default=""), env("C2PA_SIGNING_KEY", default="")
C2PA_SIGNING_ALG, C2PA_TIMESTAMP_URL = env("C2PA_SIGNING_ALG", default="es256"), env("C2PA_TIMESTAMP_URL", default="")
C2PA_TRUST_ANCHORS, C2PA_DEV_DIR = env("C2PA_TRUST_ANCHORS", default=""), VAR_DIR / "c2pa"

# --- Generated outputs and creators' tools: marketplace/settings/tools.py ------
from .tools import *  # noqa: E402, F403
