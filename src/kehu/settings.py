"""Django settings for kehu, read from the environment (see docs/configuration.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kehu import conf

BASE_DIR = Path(__file__).resolve().parent
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

KEHU_HOME = conf.kehu_home()
if TESTING and not conf.env_str("KEHU_HOME"):
    KEHU_HOME = KEHU_HOME / "test"
if TESTING and conf.env_str("PYTEST_XDIST_WORKER"):
    # Each pytest-xdist worker has its own test database, so it needs its own files too: two workers' job 1
    # would otherwise share an upload's path, and their checkpoints one directory.
    KEHU_HOME = KEHU_HOME / f"xdist-{conf.env_str('PYTEST_XDIST_WORKER')}"
from kehu.core.files import private_dir, private_umask  # noqa: E402 (files under KEHU_HOME: 0600/0700)

private_umask()
private_dir(KEHU_HOME)

DEBUG = conf.env_bool("KEHU_DEBUG", False)
KEHU_DEMO = conf.env_bool("KEHU_DEMO", False)
# Keys may be generated into KEHU_HOME only for demo, debug and test runs; production must pass them in.
_ALLOW_GENERATED_SECRETS = KEHU_DEMO or DEBUG or TESTING

SECRET_KEY = conf.secret_key(KEHU_HOME, allow_generate=_ALLOW_GENERATED_SECRETS)
KEHU_DATA_KEYS = conf.data_keys(KEHU_HOME, allow_generate=_ALLOW_GENERATED_SECRETS)
# The audit chain's HMAC key and where its signed checkpoints go (docs/security.md): never in the database.
KEHU_AUDIT_KEY = conf.audit_key(KEHU_HOME, allow_generate=_ALLOW_GENERATED_SECRETS)
KEHU_AUDIT_CHECKPOINT_DIR = conf.audit_checkpoint_dir(KEHU_HOME, allow_default=_ALLOW_GENERATED_SECRETS)
KEHU_AUDIT_SYSLOG = conf.env_str("KEHU_AUDIT_SYSLOG")  # host:port, or a socket path such as /dev/log
KEHU_ALLOW_GENERATED_SECRETS = _ALLOW_GENERATED_SECRETS
# When set, individual customers' names are stored encrypted and shown masked (domain spec 10.4).
KEHU_ENCRYPT_INDIVIDUAL_NAMES = conf.env_bool("KEHU_ENCRYPT_INDIVIDUAL_NAMES", False)
KEHU_FILES_DIR = KEHU_HOME / "files"

ALLOWED_HOSTS = [h.strip() for h in (conf.env_str("KEHU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") or "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (conf.env_str("KEHU_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # the API docs page from django-ninja's own static Swagger UI files, not a CDN (issue 11, defect 7)
    "kehu.core",
    "kehu.customers",
    "kehu.grading",
    "kehu.trade",
    "kehu.tradecredit",
    "kehu.credit",
    "kehu.exposure",
    "kehu.helpdesk",
    "kehu.activities",
    "kehu.bulk",
    "kehu.accounts",
    "kehu.outbox",
    "kehu.reception",
    "kehu.surveys",
    "kehu.suitability",
    "kehu.backup",
    "kehu.privacy",
    "kehu.staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kehu.core.http_security.SecurityHeadersMiddleware",
    "kehu.core.http_security.InputGuardMiddleware",
    "kehu.core.params.ParamCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kehu.core.middleware.PasswordExpiryMiddleware",
    "kehu.core.middleware.MethodNotAllowedPageMiddleware",
    "kehu.core.middleware.DomainErrorPageMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"

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
                "kehu.core.context_processors.kehu",
            ],
        },
    },
]


def _database() -> dict:
    url = conf.env_str("KEHU_DATABASE_URL")
    if not url:
        url = f"sqlite:///{KEHU_HOME / 'kehu.sqlite3'}"
    # Keep a worker's connection between requests: opening one costs more than a lookup by id on
    # PostgreSQL. Tests open and close their own (threads would leave connections to the test database).
    max_age = 0 if TESTING else conf.env_int("KEHU_DB_CONN_MAX_AGE", 60, minimum=0, maximum=3600)
    try:
        db = dj_database_url.parse(url, conn_max_age=max_age, conn_health_checks=max_age > 0)
    except Exception as exc:  # dj_database_url raises bare ValueError/KeyError on odd schemes
        raise ImproperlyConfigured(f"KEHU_DATABASE_URL is not a valid database URL: {exc}") from None
    engine = db.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so a
        # check-then-write inside transaction.atomic() cannot interleave with another writer.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        db["TEST"] = {"NAME": str(KEHU_HOME / "test-kehu.sqlite3")}
    elif engine in {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}:
        db["ENGINE"] = "django.db.backends.postgresql"
        db.setdefault("OPTIONS", {})
        if not db.get("NAME"):
            db["NAME"] = "kehu"
    else:
        raise ImproperlyConfigured(
            f"KEHU_DATABASE_URL must point to SQLite or PostgreSQL, got engine {engine or 'unknown'!r}"
        )
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; the lockout and login tests still go through real hashing because
    # MD5 verification is a real check, only cheaper.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# 211号 Art.99-100 and domain spec I-10: length >= 8 and three of four character classes.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "kehu.core.passwords.CharacterClassValidator"},
]
AUTHENTICATION_BACKENDS = ["kehu.core.auth.LockoutBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"

# Idle timeout (domain spec I-10, 15 minutes by default): the cookie's age is renewed on every request.
SESSION_COOKIE_AGE = conf.env_int("KEHU_SESSION_IDLE_MINUTES", 15, minimum=1, maximum=24 * 60) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = conf.env_bool("KEHU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS (issue 11, defect 12): KEHU_HTTPS=1 turns on the redirect to https, HSTS and secure
# cookies. Behind a proxy that terminates TLS, KEHU_PROXY_SSL_HEADER=1 trusts its X-Forwarded-Proto.
KEHU_HTTPS = conf.env_bool("KEHU_HTTPS", False)
if KEHU_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = conf.env_int("KEHU_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = conf.env_bool("KEHU_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = conf.env_bool("KEHU_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
if conf.env_bool("KEHU_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "/static/"
STATIC_ROOT = KEHU_HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the staff UI's own CSS and script (src/kehu/static)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Bodies above this size are refused with 413 before any parsing (API and forms alike).
DATA_UPLOAD_MAX_MEMORY_SIZE = conf.env_int("KEHU_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
KEHU_MAX_UPLOAD_BYTES = conf.env_int("KEHU_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The outbox (kehu.outbox): e-mail through Django's mail backend, over SMTP when KEHU_EMAIL_HOST is set
# (else written to standard output); SMS through a pluggable sender class (docs/configuration.md).
EMAIL_HOST = conf.env_str("KEHU_EMAIL_HOST", "") or ""
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = conf.env_int("KEHU_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = conf.env_str("KEHU_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = conf.env_str("KEHU_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = conf.env_bool("KEHU_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = conf.env_bool("KEHU_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("KEHU_EMAIL_USE_TLS and KEHU_EMAIL_USE_SSL cannot both be on")
EMAIL_TIMEOUT = conf.env_int("KEHU_EMAIL_TIMEOUT", 30, minimum=1, maximum=600)
DEFAULT_FROM_EMAIL = conf.env_str("KEHU_EMAIL_FROM", "kehu@localhost") or "kehu@localhost"
KEHU_SMS_SENDER = conf.env_str("KEHU_SMS_SENDER", "kehu.outbox.senders.LogSmsSender") or \
    "kehu.outbox.senders.LogSmsSender"
KEHU_OUTBOX_SEND_ON_COMMIT = conf.env_bool("KEHU_OUTBOX_SEND_ON_COMMIT", True)
KEHU_PUBLIC_BASE_URL = (conf.env_str("KEHU_PUBLIC_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

# Background jobs (kehu.core.jobs; docs/deployment.md). With KEHU_BROKER_URL (redis://host:6379/0) jobs go to
# Celery and run in `kehu worker` processes on any machine; without it they run in the worker process that
# `kehu serve` starts (KEHU_JOB_RUNNER=worker, set by serve), or in a thread of the process that submitted
# them (thread: the default for `kehu manage runserver`, tests and a bare gunicorn).
KEHU_BROKER_URL = conf.env_str("KEHU_BROKER_URL") or None
KEHU_JOB_RUNNER = conf.env_str("KEHU_JOB_RUNNER", "thread") or "thread"
if KEHU_JOB_RUNNER not in {"thread", "worker"}:
    raise ImproperlyConfigured(f"KEHU_JOB_RUNNER must be thread or worker, got {KEHU_JOB_RUNNER!r}")

_LOG_LEVEL = (conf.env_str("KEHU_LOG_LEVEL", "WARNING") or "WARNING").upper()
if _LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    # Checked here: logging.config would fail later with a bare "Unable to configure root logger".
    raise ImproperlyConfigured(f"KEHU_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {_LOG_LEVEL!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_without_traceback": {"()": "kehu.core.logfilters.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["forbidden_without_traceback"]}},
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
}
