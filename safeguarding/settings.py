"""Settings for the safeguarding action-plan tracker.

Everything that differs between a laptop and production comes from the environment
(django-environ); see README.md for the table of settings and .env.example.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (it is only optional when DEBUG is on).")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "safeguarding",
    "plans",
    "workstreams",
    "reviews",
    "oversight",
    "risks",
    "quality",
    "performance",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safeguarding.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "safeguarding.middleware.SessionExpiryMiddleware",
    "safeguarding.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguarding.urls"

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
                "django.template.context_processors.csp",
                "plans.context_processors.chrome",
            ],
        },
    },
]

WSGI_APPLICATION = "safeguarding.wsgi.application"

# With nothing configured the app runs on an embedded SQLite file under the git-ignored var/.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Reuse connections between requests (checked before reuse, so a database restart only
# costs the requests made while it is down).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database is shared by the web server and the pack worker (make run): WAL
    # lets one write while the other reads, and a writer waits for the lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Form choice fields read their options with QuerySet.iterator(): a server-side cursor
    # costs three round trips (DECLARE, FETCH, CLOSE) for a list of a dozen rows.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed file names in production (run collectstatic); plain files when developing
# and testing, served by WhiteNoise straight from the finders.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Scripts and styles only from our own static files (no inline script anywhere).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Production hardening (README.md, "Security settings") ---------------------------------

# Served over HTTPS (the default with DEBUG off): redirect http to https, secure-only cookies,
# HSTS. The load balancer terminates TLS and says so in PROXY_SSL_HEADER (default
# X-Forwarded-Proto: https); it must overwrite that header on every request it forwards.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
_proxy_header = env.str("PROXY_SSL_HEADER", default="X-Forwarded-Proto")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# "__Host-" cookies are only accepted over HTTPS, for this exact host, for the whole site.
SESSION_COOKIE_NAME = "__Host-session" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# My actions posts about seven fields per action; allow a partnership's whole plan at once.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=20_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest plan file an import accepts, and the most a request's files may hold together
# (safeguarding/uploads.py drops anything past it as it arrives).
PLAN_IMPORT_MAX_BYTES = env.int("PLAN_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# Budgets for reading one plan file (plans/spreadsheets.py): what a workbook may unpack to,
# the cells it may hold, and the seconds reading it may take, so a hostile file is refused fast.
PLAN_IMPORT_MAX_UNZIPPED_BYTES = env.int("PLAN_IMPORT_MAX_UNZIPPED_BYTES", default=50 * 1024 * 1024)
PLAN_IMPORT_MAX_CELLS = env.int("PLAN_IMPORT_MAX_CELLS", default=1_000_000)
PLAN_IMPORT_MAX_SECONDS = env.float("PLAN_IMPORT_MAX_SECONDS", default=10.0)
# Who must use a second factor besides superusers and staff: a callable returning the
# administrator roles (a queryset with a `user` field). The project package imports no app.
SECOND_FACTOR_ADMIN_ROLES = "plans.access.administrator_roles"
# Uploaded files past the import limit are not stored at all (safeguarding/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "safeguarding.uploads.SizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Sessions end after SESSION_IDLE_MINUTES without a request and, however busy, after
# SESSION_ABSOLUTE_HOURS (safeguarding/middleware.py); the cookie goes when the browser closes.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in lockout (django-axes): AXES_FAILURE_LIMIT failed sign-ins for one username from one
# address, each within AXES_COOLOFF_MINUTES of the last, lock that pair out until the
# cool-off has passed. Besides, AXES_ACCOUNT_FAILURE_LIMIT of them for one username from any
# addresses hold the account for the shorter AXES_ACCOUNT_COOLOFF_MINUTES after the last
# (safeguarding/security.py LockoutHandler). Attempts refused meanwhile are not counted, so
# neither lasts longer than it says. Kept in the database, so every app server sees the
# same count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading with each request's user what the second factor depends on.
    "safeguarding.second_factor.UserBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
if not 1 <= AXES_FAILURE_LIMIT <= 10:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT must be between 1 and 10.")
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=10)
if not 1 <= AXES_ACCOUNT_FAILURE_LIMIT <= 10:
    raise ImproperlyConfigured("AXES_ACCOUNT_FAILURE_LIMIT must be between 1 and 10.")
AXES_ACCOUNT_COOLOFF_TIME = timedelta(minutes=env.int("AXES_ACCOUNT_COOLOFF_MINUTES", default=5))
if not timedelta(minutes=1) <= AXES_ACCOUNT_COOLOFF_TIME < AXES_COOLOFF_TIME:
    raise ImproperlyConfigured(
        "AXES_ACCOUNT_COOLOFF_MINUTES must be at least 1 and less than AXES_COOLOFF_MINUTES."
    )
AXES_HANDLER = "safeguarding.security.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "safeguarding.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "safeguarding.security.client_ip"
AXES_USERNAME_CALLABLE = "safeguarding.security.axes_username"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # our audit log records lockouts (safeguarding/audit.py)
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# How many proxies (load balancers) stand in front of the app and append to X-Forwarded-For;
# 0 means the app is reached directly and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# One-time passwords (django-otp, TOTP apps such as Microsoft or Google Authenticator).
# Optional for everyone; required for administrators (Role "admin", staff or superusers).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Safeguarding action tracker")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "oversight:dashboard"
LOGOUT_REDIRECT_URL = "login"

MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND",
            default="django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {
            "host": env.str("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=25),
            "username": env.str("EMAIL_HOST_USER", default=""),
            "password": env.str("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=False),
        }
        if not DEBUG
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="action-tracker@localhost")
# Where links in emails point (reminders, password reset), e.g. https://tracker.example.org
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Days before an update deadline on which leads are reminded.
REMINDER_DAYS = tuple(env.list("REMINDER_DAYS", cast=int, default=[14, 3]))
# Days after a missed update deadline on which leads with actions still not updated are
# reminded again (the pack is being prepared, so these say it is overdue).
OVERDUE_REMINDER_DAYS = tuple(env.list("OVERDUE_REMINDER_DAYS", cast=int, default=[1, 7]))
# Working days before a statutory clock of an intake case runs out (notification, rapid
# review, LCSPR publication) on which the partnership's board officers are reminded.
CLOCK_REMINDER_DAYS = tuple(env.list("CLOCK_REMINDER_DAYS", cast=int, default=[5, 2]))

# Days an invitation's set-password link works for.
INVITE_DAYS = env.int("INVITE_DAYS", default=7)

# Rendered page bodies are cached under the version of the data they show
# (oversight/fragments.py), per process by default; "dummycache://" turns caching off.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Long work (BMG pack PDFs) runs in a worker, `python manage.py db_worker --queue-name packs`,
# through Django's tasks framework; the queue is a database table (django-tasks-db), so any
# app server may enqueue and any worker may run. Each worker renders one pack at a time: the
# number of workers started on a server is that server's cap on renders at once.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "packs"],
    }
}
# A pack render not finished this long after it was asked for (no worker running, or one
# killed for memory) is reported as failed, so nobody waits on it for ever.
PACK_RENDER_TIMEOUT_SECONDS = env.int("PACK_RENDER_TIMEOUT_SECONDS", default=600)

# PDFs are tagged for screen readers (PDF/UA-1) unless this is set empty.
PDF_VARIANT = env.str("PDF_VARIANT", default="pdf/ua-1")
# Long PDFs (the BMG pack) are laid out this many pages at a time, so a render's memory does
# not grow with the pack (plans.pdfparts): about 2.5 MB a page on top of the process.
PDF_PART_PAGES = env.int("PDF_PART_PAGES", default=40)

# Marking printed on every page of packs and exports.
PROTECTIVE_MARKING = env.str("PROTECTIVE_MARKING", default="OFFICIAL-SENSITIVE")

# Audit trail of sign-ins, failed sign-ins, lockouts and downloads (safeguarding/audit.py):
# one line per event on stderr, and in AUDIT_LOG_FILE too when it is set.
AUDIT_LOG_FILE = env.str("AUDIT_LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"audit": {"format": "%(asctime)s %(levelname)s audit %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "audit_console": {"class": "logging.StreamHandler", "formatter": "audit"},
        **(
            {
                "audit_file": {
                    "class": "logging.handlers.WatchedFileHandler",
                    "filename": AUDIT_LOG_FILE,
                    "formatter": "audit",
                }
            }
            if AUDIT_LOG_FILE
            else {}
        ),
    },
    "loggers": {
        "safeguarding.audit": {
            "handlers": ["audit_console"] + (["audit_file"] if AUDIT_LOG_FILE else []),
            "level": "INFO",
            "propagate": False,
        },
        "django.security": {"handlers": ["console"], "level": "WARNING"},
    },
}
