"""Django settings, all from the environment (12-factor, as Healthchecks does).

SQLite in WAL mode under ``ACADEMICHUB_HOME`` by default; PostgreSQL when
``DATABASE_URL`` is set. Huey stores its queue in SQLite beside the catalogue,
or in Redis when ``REDIS_URL`` is set; either way a job taken by a worker that
is killed runs again (``academichub.ops.reliable_queue``).
"""

from __future__ import annotations

import os

import dj_database_url

from academichub import paths

HOME = paths.ensure_home()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Use $SECRET_KEY, else a random key kept in the data directory."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = HOME / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# Transport security: HSTS only when asked for (it pins browsers to HTTPS);
# secure cookies whenever the public address is HTTPS; behind a proxy that
# terminates TLS set SECURE_PROXY_SSL_HEADER=1 (it must send X-Forwarded-Proto).
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER") else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SITE_URL.startswith("https://")
# Sessions are read through the cache (Redis when REDIS_URL is set) and written to the database as well:
# one query less on every signed-in request, and nothing lost when the cache is flushed or down.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "academichub.papers",
    "academichub.sources",
    "academichub.web",
    "academichub.accounts",
    "academichub.briefings",
    "academichub.ops",
    "academichub.daily",
    "academichub.delivery",
    "academichub.radar",
    "academichub.search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "academichub.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "academichub.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "academichub.urls"
WSGI_APPLICATION = "academichub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": HOME / "academichub.sqlite3",
        "OPTIONS": {
            # WAL lets readers work while the one writer writes; IMMEDIATE
            # transactions take the write lock up front, so two writers queue
            # on busy_timeout instead of failing with "database is locked".
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [paths.REPO_ROOT / "academichub" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "daily:today"
LOGOUT_REDIRECT_URL = "daily:today"
CSRF_FAILURE_VIEW = "academichub.accounts.views.csrf_failure"


def _caches() -> dict:
    """LocMem (per process) by default; Redis when REDIS_URL is set, so rate
    limits are shared by every web worker and host."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
        return {"default": {**backend, "KEY_PREFIX": "academichub"}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "academichub"}}


CACHES = _caches()

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    (prefix, path)
    for prefix, path in (
        ("katex", paths.assets_dir() / "katex" / "dist"),
        ("htmx", paths.assets_dir() / "htmx.org" / "dist"),
    )
    if path.is_dir()
]
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AcademicHub <hub@localhost>")


def _huey() -> dict:
    name = os.environ.get("HUEY_NAME", "academichub")
    common = {"name": name, "immediate": env_bool("HUEY_IMMEDIATE"), "utc": True,
              "lease_seconds": int(os.environ.get("HUEY_LEASE_SECONDS", "30"))}  # see ops.reliable_queue
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return {**common, "huey_class": "academichub.ops.reliable_queue.ClaimingRedisHuey", "url": redis_url}
    return {**common, "huey_class": "academichub.ops.reliable_queue.ClaimingSqliteHuey",
            "filename": str(HOME / "queue.sqlite3")}


HUEY = _huey()

# Sources: which arXiv categories to follow, and when arXiv announces.
ARXIV_CATEGORIES = env_list("ARXIV_CATEGORIES", "cs.CV,cs.CL,cs.AI,cs.LG")
ARXIV_RSS_URL = os.environ.get("ARXIV_RSS_URL", "https://rss.arxiv.org/rss/")
ARXIV_OAI_URL = os.environ.get("ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
ARXIV_API_URL = os.environ.get("ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_SCHEDULE = os.environ.get("ARXIV_SCHEDULE", "20:00 America/New_York sun-thu")
HTTP_MIN_INTERVAL = float(os.environ.get("HTTP_MIN_INTERVAL", "3"))

# Delivery: API rate limits (requests per hour) and webhooks. Webhooks never reach
# loopback/private/link-local targets unless listed here (CIDR, e.g. "10.1.0.0/16").
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "3600"))
API_RATE_LIMIT_ANON = int(os.environ.get("API_RATE_LIMIT_ANON", "1200"))
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS")

# Briefings of a radar: its ranked papers for a window ("module:function" taking a radar id, start, end).
BRIEFINGS_RADAR_FEED = "academichub.radar.briefing_feed:ranked_papers"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "academichub.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # ACADEMICHUB_LOG_FORMAT=json gives one JSON object per line, for log shippers.
            "formatter": "json" if os.environ.get("ACADEMICHUB_LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "INFO", "propagate": False}, "httpx": {"level": "WARNING"}, "django.db.backends": {"level": "WARNING"}},
}
