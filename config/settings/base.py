"""Settings shared by every environment. Everything deployment-specific comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "config.admin_site.AgenteLocalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "agents_app",
    "telephony",
    "calls",
    "voiceworker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Only active when FRONTEND_DIST_DIR is set: the React client's files, at the site root.
    "config.frontend.FrontendAssetsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
        }
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts and wait for it: two concurrent saves
    # (the old client saves an agent with two parallel requests) would otherwise fail with
    # "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "es"
# Strings are written in Spanish; the browser's language does not switch the admin to English.
LANGUAGES = [("es", _("Español"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "config.authentication.BearerTokenAuthentication",
        "config.authentication.SameOriginSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "outbound_calls": env("OUTBOUND_CALLS_THROTTLE_RATE", default="60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AgenteLocal API",
    "DESCRIPTION": "API del frontend y puente de los agentes de voz de AgenteLocal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "EncuestaStatusEnum": "calls.models.Encuesta.Status",
        "CallStatusEnum": "calls.models.Call.Status",
    },
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# A built copy of the old React client (its dist/): `/` serves it to logged-in staff.
FRONTEND_DIST_DIR = env("FRONTEND_DIST_DIR", default="")

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process: the embedded default for `make run` and tests.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "reconcile-calls": {
        "task": "calls.tasks.reconcile_calls",
        "schedule": crontab(minute="*"),
    },
    "check-alerts": {
        "task": "calls.alert_tasks.alerts_check_task",
        "schedule": crontab(minute="*"),
    },
    "dashboard-answer-counts": {
        "task": "calls.dashboard_tasks.answer_rollups_refresh_task",
        "schedule": crontab(minute="*/5"),
    },
    "sweep-webhooks": {
        "task": "calls.webhook_tasks.webhooks_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
}

# --- LiveKit and telephony ------------------------------------------------------------------
LIVEKIT_URL = env("LIVEKIT_URL", default="")
LIVEKIT_API_KEY = env("LIVEKIT_API_KEY", default="")
LIVEKIT_API_SECRET = env("LIVEKIT_API_SECRET", default="")
# The old system's variable: the trunk used when the default TelephonyConfig names none.
SIP_OUTBOUND_TRUNK_ID = env("SIP_OUTBOUND_TRUNK_ID", default="")
# "livekit" speaks to LiveKit; "console" only logs what it would send (local demos).
TELEPHONY_BACKEND = env("TELEPHONY_BACKEND", default="livekit")
LIVEKIT_AGENT_NAME = env("LIVEKIT_AGENT_NAME", default="agentelocal-encuestas")
LIVEKIT_REQUEST_TIMEOUT = env.float("LIVEKIT_REQUEST_TIMEOUT", default=10.0)
CALL_RINGING_TIMEOUT = timedelta(seconds=env.int("CALL_RINGING_TIMEOUT_SECONDS", default=30))
CALL_MAX_DURATION = timedelta(seconds=env.int("CALL_MAX_DURATION_SECONDS", default=600))
CALL_ROOM_EMPTY_TIMEOUT = env.int("CALL_ROOM_EMPTY_TIMEOUT_SECONDS", default=60)
CALL_DIAL_MAX_RETRIES = env.int("CALL_DIAL_MAX_RETRIES", default=4)
CALL_DIAL_RETRY_BACKOFF = env.float("CALL_DIAL_RETRY_BACKOFF_SECONDS", default=2.0)
CALL_CONCURRENCY_RETRY_SECONDS = env.int("CALL_CONCURRENCY_RETRY_SECONDS", default=10)
# The agent's goodbye must finish playing before the room is deleted after /colgar.
CALL_HANGUP_DELAY_SECONDS = env.float("CALL_HANGUP_DELAY_SECONDS", default=2.0)
CALL_RECONCILE_GRACE = timedelta(seconds=env.int("CALL_RECONCILE_GRACE_SECONDS", default=120))
ALLOWED_CALL_COUNTRIES = env.list("ALLOWED_CALL_COUNTRIES", default=["ES"])
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="ES")

# --- Voice agent bridge and providers -------------------------------------------------------
BRIDGE_TOKEN = env("BRIDGE_TOKEN", default="")
DEEPGRAM_API_KEY = env("DEEPGRAM_API_KEY", default="")
CARTESIA_API_KEY = env("CARTESIA_API_KEY", default="")
GROQ_API_KEY = env("GROQ_API_KEY", default="")
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
LLM_BASE_URL = env("LLM_BASE_URL", default="https://api.groq.com/openai/v1")
# "provider/model" strings go through LiveKit Inference instead of the provider plugins.
VOICE_USE_LIVEKIT_INFERENCE = env.bool("VOICE_USE_LIVEKIT_INFERENCE", default=False)
VOICE_ANSWER_TIMEOUT_SECONDS = env.float(
    "VOICE_ANSWER_TIMEOUT_SECONDS", default=CALL_RINGING_TIMEOUT.total_seconds() + 30
)
VOICE_HANGUP_GRACE_SECONDS = env.float("VOICE_HANGUP_GRACE_SECONDS", default=0.5)
VOICE_MAX_TOOL_STEPS = env.int("VOICE_MAX_TOOL_STEPS", default=4)
VOICE_CONNECT_MAX_RETRY = env.int("VOICE_CONNECT_MAX_RETRY", default=16)

# --- Alerts raised for staff (calls.services.alert_checks) ------------------------------------
ALERT_WINDOW_MINUTES = env.int("ALERT_WINDOW_MINUTES", default=30)
ALERT_TRUNK_MIN_CALLS = env.int("ALERT_TRUNK_MIN_CALLS", default=5)
ALERT_TRUNK_FAILURE_SHARE = env.float("ALERT_TRUNK_FAILURE_SHARE", default=0.5)
ALERT_WORKER_GRACE_SECONDS = env.int("ALERT_WORKER_GRACE_SECONDS", default=60)
ALERT_WORKER_MIN_CALLS = env.int("ALERT_WORKER_MIN_CALLS", default=2)
ALERT_QUEUE_STALL_MINUTES = env.int("ALERT_QUEUE_STALL_MINUTES", default=10)

# How often the admin dashboard refreshes its "calls in progress" panel.
DASHBOARD_POLL_SECONDS = env.float("DASHBOARD_POLL_SECONDS", default=3.0)

# --- Outgoing webhooks (calls.services.webhooks) -----------------------------------------------
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
WEBHOOK_RETRY_WINDOW_SECONDS = env.int("WEBHOOK_RETRY_WINDOW_SECONDS", default=24 * 3600)
# Only for development and tests: lets webhooks reach loopback/private addresses.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
