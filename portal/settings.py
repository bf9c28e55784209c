"""Kreisportal settings: one module, driven by the environment (see README, Configuration)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-never-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG=0")

# Earlier keys, still accepted for what they signed (sessions, citizens' access links) while
# everything new is signed with SECRET_KEY; drop a key from the list to revoke what it signed
# (docs/operations.md, Key rotation). Comma-separated.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base for links in e-mails and for provider callbacks. Unset, it follows the port
# the development server listens on (`make run PORT=…` passes PORT).
PORTAL_BASE_URL = env.str(
    "PORTAL_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    # The project, then the apps from the bottom up (docs/architecture.md, The layout).
    "portal",
    "municipalities",
    "core",
    "identity",  # citizen sign-in with BundID (docs/identity.md)
    "catalog",
    "legal",  # imprint, privacy notice, accessibility statement, letterheads (docs/legal.md)
    "payments",
    "cases",
    "citizen",
    "district",
    # History only: the migrations that made the services_* tables (services/apps.py).
    "services",
]
# What a payment is for (payments/payables.py); its app registers the payable adapter.
PAYMENTS_PAYABLE_MODEL = "cases.Case"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    # NUL and other control characters, over-long integers: 400 before any view (core/hygiene.py).
    "core.hygiene.InputHygieneMiddleware",
    # Static files (hashed, precompressed, cached a year) answered before anything else;
    # then gzip for the portal's own text responses (portal/compression.py: BREACH).
    "portal.staticfiles.StaticFilesMiddleware",
    "portal.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.rls.RowLevelSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.ErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "core.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default (`make run`) under a crowd: readers never wait for the writer (WAL),
    # a writer waits up to 60 s for another instead of failing at once ("database is
    # locked"), and a transaction takes the write lock when it begins (IMMEDIATE), so two
    # transactions that read and then write cannot deadlock halfway.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 60,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Row-level security (PostgreSQL): on when the portal connects as the role kreisportal_app,
# which the policies bind; see core/rls.py and docs/operations.md.
DATABASE_RLS = env.bool("DATABASE_RLS", default=False)

REDIS_URL = env.str("REDIS_URL", default="")
# How long the district dashboard reuses figures it computed (reloads, CSV downloads).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)


def _cache_url_beside(broker_url: str) -> str:
    """The broker's Redis with the next database number: the cache must never share the
    broker's database, because clearing a Redis cache empties its whole database."""
    base, _, db = broker_url.rstrip("/").rpartition("/")
    if db.isdigit() and base.count("/") >= 2:
        return f"{base}/{int(db) + 1}"
    return f"{broker_url.rstrip('/')}/1"


CACHE_URL = env.str("CACHE_URL", default=_cache_url_beside(REDIS_URL) if REDIS_URL else "")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="de")
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates day-first ("15 Mar 1990"), never month-first: portal/formats/en/.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names + gzip/Brotli copies made by collectstatic (make static, Dockerfile),
    # also under DEBUG: portal/staticfiles.py, docs/frontend.md.
    "staticfiles": {"BACKEND": "portal.staticfiles.StaticFilesStorage"},
}
# Largest single upload a service may allow; each file field may set a lower limit.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# All files of one case together (filed with it and sent with answers later; 413 beyond).
CASE_UPLOAD_MAX_BYTES = env.int("CASE_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Whole request bodies beyond this are refused before they are read (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The first handler stops a file's stream once it passes UPLOAD_MAX_BYTES (413).
FILE_UPLOAD_HANDLERS = [
    "core.middleware.FileSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=60 * 1024 * 1024)
# Malware scanning of uploads (core/scanning.py): clamd's address, tcp://host:3310 or
# unix:///run/clamav/clamd.ctl; empty = off (`check --deploy` warns in production).
UPLOAD_SCAN_URL = env.str("UPLOAD_SCAN_URL", default="")
# Seconds one scan may take (connect, stream, verdict); then the upload is refused.
UPLOAD_SCAN_TIMEOUT = env.float("UPLOAD_SCAN_TIMEOUT", default=15.0)
# The largest stream sent to clamd; at most clamd's StreamMaxLength (Debian: 25M).
UPLOAD_SCAN_MAX_BYTES = env.int("UPLOAD_SCAN_MAX_BYTES", default=25 * 1024 * 1024)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    # The directory as written: filemail:///var/mail/portal is /var/mail/portal (django-environ
    # drops the leading slash), filemail://mail/out the relative mail/out.
    _mail = urlsplit(env.str("EMAIL_URL"))
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = _mail.netloc + re.sub(r"^/+", "/", _mail.path)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Kreisportal <noreply@kreisportal.example>"
)

PAYMENTS_SANDBOX = env.bool("PAYMENTS_SANDBOX", default=DEBUG)
# {"<municipality slug>": {"merchant_id": "…", "project_id": "…", "password": "…"}}
GIROCHECKOUT_CREDENTIALS = env.json("GIROCHECKOUT_CREDENTIALS", default={})
GIROCHECKOUT_API_URL = env.str(
    "GIROCHECKOUT_API_URL", default="https://payment.girosolution.de/girocheckout/api/v2/"
)
# The provider's host: payment choices redirect the browser there (CSP form-action below).
GIROCHECKOUT_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(GIROCHECKOUT_API_URL))
# Unfinished GiroCheckout attempts expire after this long (the payer may retry).
PAYMENT_EXPIRY_MINUTES = env.int("PAYMENT_EXPIRY_MINUTES", default=60)
# Citizens get one reminder when a GiroCode transfer has not arrived after this many days.
GIROCODE_REMINDER_DAYS = env.int("GIROCODE_REMINDER_DAYS", default=7)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.rls.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "submissions": env.str("THROTTLE_SUBMISSIONS", default="30/hour"),
        "tokens": env.str("THROTTLE_TOKENS", default="20/minute"),
        "tracking": env.str("THROTTLE_TRACKING", default="120/minute"),
        "payments": env.str("THROTTLE_PAYMENTS", default="30/minute"),
        # Login form posts per client; axes locks an account after AXES_FAILURE_LIMIT failures.
        "logins": env.str("THROTTLE_LOGINS", default="20/minute"),
        # Accessibility feedback form posts per client (legal/views.py).
        "feedback": env.str("THROTTLE_FEEDBACK", default="10/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kreisportal API",
    "DESCRIPTION": "HTTP contract v1 of Kreisportal: catalog, cases, queue, payments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ serves Swagger UI from static files, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
        "portal.openapi.add_plain_endpoints",
    ],
}

# Celery: without a broker, tasks run eagerly in process (make run needs no server).
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Several deployments (or test runs) may share one Redis; each then names its own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Beat keeps its schedule in the database (operators may disable an entry or add their own in
# the admin); the portal's own entries are these, written there by beat at every start.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Steps a lost broker message left pending (cases/steps.py).
    "Re-dispatch pending process steps": {"task": "cases.redispatch_steps", "schedule": 30.0},
    # Working days start early in a town hall: the digest is there before the first coffee.
    "Daily deadline digest to clerks": {
        "task": "cases.send_due_digest",
        "schedule": crontab(minute="0", hour="6", day_of_week="1-5"),
    },
    "Expire unfinished online payments": {"task": "payments.expire_stale", "schedule": 300.0},
    # Mid-morning: the reminder arrives when people read mail, not at night.
    "Remind citizens of open bank transfers": {
        "task": "payments.send_reminders",
        "schedule": crontab(minute="0", hour="10"),
    },
    # 03:30 local time: after midnight's closings, before offices open.
    "Retention purge (daily)": {
        "task": "district.purge_expired_cases",
        "schedule": crontab(minute="30", hour="3"),
    },
    "Abandoned form drafts (daily)": {
        "task": "citizen.purge_abandoned_drafts",
        "schedule": crontab(minute="45", hour="3"),
    },
    # Once a day, like freshclam's update in the clamav service: stored files a new
    # signature matches are quarantined (cases/quarantine.py).
    "Rescan stored files (daily)": {
        "task": "cases.rescan_uploads",
        "schedule": crontab(minute="15", hour="4"),
    },
}

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_RESET_ON_SUCCESS = True
# Failures lock the pair (account, client address): nobody at another address can lock a
# clerk out, and a shared address (behind the reverse proxy) does not lock everyone out.
# Guessing across accounts from one address is capped by the "logins" and "tokens"
# throttles instead (docs/operations.md, Sign-in lockout).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        # Payment choices post to the portal, which redirects to GiroCheckout's page;
        # browsers apply form-action to that redirect too (docs/payments.md).
        "form-action": ["'self'", *([] if PAYMENTS_SANDBOX else [GIROCHECKOUT_ORIGIN])],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How long the cookie that /track/<reference>/?access_token=… exchanges the token for opens
# the tracking page (seconds; citizen/views/tracking.py).
TRACKING_COOKIE_SECONDS = env.int("TRACKING_COOKIE_SECONDS", default=2 * 3600)
# Longest comment of a clerk's action or a citizen's answer (characters; docs/api.md).
COMMENT_MAX_LENGTH = env.int("COMMENT_MAX_LENGTH", default=5000)
# Messages of the accessibility feedback form are deleted this many days after they arrived
# (legal/purge.py; docs/operations.md, Retention purge): time to answer the sender and to
# check the barrier at the accessibility statement's yearly review.
FEEDBACK_RETENTION_DAYS = env.int("FEEDBACK_RETENTION_DAYS", default=365)
# Which hops in front of the portal may name the client in X-Forwarded-For: a count of
# proxies or a list of their networks; none by default (core/clients.py).
TRUSTED_PROXIES = env.str("TRUSTED_PROXIES", default="")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    if PAYMENTS_SANDBOX:
        raise ImproperlyConfigured("PAYMENTS_SANDBOX must be off when DJANGO_DEBUG=0")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # One JSON object per line (python-json-logger escapes quotes, line breaks and
        # tracebacks, which a format string cannot).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{asctime}{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # No query strings in access logs: they carry tokens (core/logfilters.py).
    "filters": {"no_query_strings": {"()": "core.logfilters.NoQueryStrings"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="plain"),
            "filters": ["no_query_strings"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own loggers write through the same handler (its defaults would print a second,
    # plain line of each request error while debugging).
    "loggers": {
        **{
            name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
            for name in ("django", "django.server")
        },
        # The PDF renderer reports every step and every font at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pysaml2 logs NameIDs and attributes (personal data) at INFO and DEBUG; its schema
        # library announces at INFO, on every start, that it has loaded XMLSchema.xsd.
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
    },
}

# --- Citizen identity: BundID over SAML 2.0 (identity/, docs/identity.md) ---------------
# Off unless the identity provider's metadata and the portal's key pair are configured;
# `make run` and the test suite configure the development identity provider (devidp/).
SAML_IDP_METADATA = env.str("SAML_IDP_METADATA", default="")  # file path or https URL
SAML_IDP_METADATA_CERT = env.str("SAML_IDP_METADATA_CERT", default="")  # checks a URL's signature
SAML_IDP_METADATA_REFRESH_SECONDS = env.int("SAML_IDP_METADATA_REFRESH_SECONDS", default=3600)
SAML_IDP_ENTITY_ID = env.str("SAML_IDP_ENTITY_ID", default="")  # when the metadata names several
SAML_SP_ENTITY_ID = env.str("SAML_SP_ENTITY_ID", default="")  # default: <base>/saml2/metadata/
SAML_SP_KEY = env.str("SAML_SP_KEY", default="")  # PEM text or file path
SAML_SP_CERT = env.str("SAML_SP_CERT", default="")
SAML_SP_ENCRYPTION_KEY = env.str("SAML_SP_ENCRYPTION_KEY", default="")  # default: SAML_SP_KEY
SAML_SP_ENCRYPTION_CERT = env.str("SAML_SP_ENCRYPTION_CERT", default="")
SAML_XMLSEC_BINARY = env.str("SAML_XMLSEC_BINARY", default="/usr/bin/xmlsec1")
SAML_ACCEPTED_TIME_DIFF = env.int("SAML_ACCEPTED_TIME_DIFF", default=60)  # clock skew, seconds
SAML_REQUIRE_ENCRYPTED_ASSERTIONS = env.bool("SAML_REQUIRE_ENCRYPTED_ASSERTIONS", default=True)
SAML_METADATA_VALID_HOURS = env.int("SAML_METADATA_VALID_HOURS", default=24 * 7)
SAML_ORGANIZATION_DISPLAY_NAME = env.str("SAML_ORGANIZATION_DISPLAY_NAME", default="Kreisportal")
SAML_ONLINE_SERVICE_ID = env.str("SAML_ONLINE_SERVICE_ID", default="")  # assigned by BundID
IDENTITY_MAX_AGE_MINUTES = env.int("IDENTITY_MAX_AGE_MINUTES", default=60)
