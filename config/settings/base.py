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
    "drf_spectacular_sidecar",
    "axes",
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
    # Last, as django-axes requires: it answers the login of a locked-out user.
    "axes.middleware.AxesMiddleware",
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
# An empty DATABASE_URL means the embedded default here; production refuses it.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
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
elif DATABASES["default"]["NAME"] not in ("", ":memory:"):
    # `make run`: the web server and the Celery worker write the same SQLite file. Writers queue
    # (IMMEDIATE + timeout) instead of failing with "database is locked"; WAL lets readers go on.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Seconds the API and the bridge ask clients to wait (Retry-After) while the database is down.
DATABASE_UNAVAILABLE_RETRY_AFTER = env.int("DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes counts failed logins (admin and any authenticate() with a request) and locks out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Per user name and address: an attacker cannot lock a colleague out from another machine.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_VERBOSE = False
# The address is REMOTE_ADDR (django-ipware is not installed): X-Forwarded-For can be forged by any
# client. Behind a proxy every login then comes from the proxy, and the lock is per user name.

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

# --- Cache: API throttles and login lockouts must count across every web process -------------
# Empty: this process's memory (development, tests). Production requires a shared Redis.
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
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
    "DEFAULT_PERMISSION_CLASSES": ["config.permissions.RequiredPermissions"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
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
# Campaign tasks live in their own module (calls.tasks_campaigns), beside calls.tasks.
CELERY_IMPORTS = ("calls.tasks_campaigns",)
CAMPAIGN_DISPATCH_INTERVAL_SECONDS = env.float("CAMPAIGN_DISPATCH_INTERVAL_SECONDS", default=1.0)
CELERY_BEAT_SCHEDULE = {
    "reconcile-calls": {
        "task": "calls.tasks.calls_reconcile_task",
        "schedule": crontab(minute="*"),
    },
    "dispatch-campaigns": {
        "task": "calls.tasks_campaigns.campaigns_dispatch_task",
        "schedule": CAMPAIGN_DISPATCH_INTERVAL_SECONDS,
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
# A dial waits for the ringing plus a few LiveKit requests; past its hard limit no worker holds it,
# so the broker redelivers it (visibility timeout) and the reconciler may finish it.
CALL_DIAL_TASK_SOFT_TIME_LIMIT = int(CALL_RINGING_TIMEOUT.total_seconds() + 3 * LIVEKIT_REQUEST_TIMEOUT + 10)
CALL_DIAL_TASK_TIME_LIMIT = CALL_DIAL_TASK_SOFT_TIME_LIMIT + 15
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CALL_DIAL_TASK_TIME_LIMIT + 60}
# Campaigns. Each tick claims the calls of the next LOOKAHEAD seconds (at least one tick interval
# plus the tick's own delay), so pacing holds even when a tick runs late.
CAMPAIGN_DIAL_LOOKAHEAD_SECONDS = env.float(
    "CAMPAIGN_DIAL_LOOKAHEAD_SECONDS", default=2 * CAMPAIGN_DISPATCH_INTERVAL_SECONDS
)
CAMPAIGN_DISPATCH_MAX_PER_TICK = env.int("CAMPAIGN_DISPATCH_MAX_PER_TICK", default=200)
# "async": ringing calls are coroutines of one event loop per worker process (see README);
# "inline": the task dials its batch and records the outcomes before returning (eager mode, tests).
CAMPAIGN_DIALER = env("CAMPAIGN_DIALER", default="async")
CAMPAIGN_DIALER_OUTCOME_THREADS = env.int("CAMPAIGN_DIALER_OUTCOME_THREADS", default=4)
ALLOWED_CALL_COUNTRIES = env.list("ALLOWED_CALL_COUNTRIES", default=["ES"])
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="ES")
# Uploaded lead files waiting for confirmation and their rejection reports (admin import).
LEAD_IMPORT_DIR = env.path("LEAD_IMPORT_DIR", default=BASE_DIR / "var" / "lead-imports")

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
# CPU load (0-1) above which the worker refuses new jobs; "inf" never refuses (env.float cannot parse it).
VOICE_WORKER_LOAD_THRESHOLD = float(env("VOICE_WORKER_LOAD_THRESHOLD", default="0.7"))
# Provider endpoints; tests point the real plugins at local servers speaking each wire protocol.
DEEPGRAM_BASE_URL = env("DEEPGRAM_BASE_URL", default="")
CARTESIA_BASE_URL = env("CARTESIA_BASE_URL", default="")
# Cartesia voice new agents get for a language (Cartesia's default voice speaks English). The default
# is Cartesia's stock "Spanish-speaking Lady" voice from its public voice library.
VOICE_DEFAULT_VOICE_IDS = {"es": env("CARTESIA_VOICE_ES", default="846d6cb0-2301-48b6-9683-48f5618ea2f6")}
VOICE_AMD_ENABLED = env.bool("VOICE_AMD_ENABLED", default=True)
VOICE_USER_AWAY_SECONDS = env.float("VOICE_USER_AWAY_SECONDS", default=15.0)
VOICE_AWAY_PROMPTS = env.int("VOICE_AWAY_PROMPTS", default=2)
# Seconds before CALL_MAX_DURATION at which the agent says goodbye and closes the call.
VOICE_END_MARGIN_SECONDS = env.float("VOICE_END_MARGIN_SECONDS", default=30.0)
VOICE_SUMMARY_ENABLED = env.bool("VOICE_SUMMARY_ENABLED", default=True)

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
    # django-axes logs every login at INFO; lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
