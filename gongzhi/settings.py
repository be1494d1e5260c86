"""Settings come from the environment so one build serves a laptop, an intranet server and CI.

GONGZHI_* variables and DATABASE_URL / REDIS_URL are documented in docs/deployment.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("GONGZHI_DATA_DIR", PROJECT_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("GONGZHI_DEBUG", False)
_insecure_dev_key = "gongzhi-development-key-not-for-production"
SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY", _insecure_dev_key)
ALLOWED_HOSTS = os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GONGZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "huey.contrib.djhuey",
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.divisions",
    "gongzhi.departments",
    "gongzhi.demo",
    "gongzhi.workdays",
    "gongzhi.notifications",
    "gongzhi.registry",
    "gongzhi.cases",
    "gongzhi.open311",
    "gongzhi.assessment",
    "gongzhi.party",
    "gongzhi.volunteering",
    "gongzhi.service",
    "gongzhi.points",
    "gongzhi.lovebank",
    "gongzhi.squads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.ChosenLanguageMiddleware",
    "gongzhi.core.badinput.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongzhi.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

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
                "gongzhi.core.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'gongzhi.sqlite3'}"),
        conn_max_age=int(os.environ.get("GONGZHI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer commits; IMMEDIATE makes a writing transaction
    # take the lock at BEGIN, so two writers queue instead of failing mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
# PostgreSQL: the statements every report and API call runs are prepared once per connection
# (gongzhi.core.db); nothing else is (a threshold no other statement reaches: Django's own
# statements carry their values inline). Turn off behind a pooler in transaction mode that
# cannot keep prepared statements.
GONGZHI_DB_PREPARE = env_bool("GONGZHI_DB_PREPARE", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and GONGZHI_DB_PREPARE:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and tasks ------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS_IMMEDIATE = env_bool("GONGZHI_TASKS_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "gongzhi", "url": REDIS_URL, "immediate": TASKS_IMMEDIATE}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gongzhi",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": TASKS_IMMEDIATE,
    }

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gongzhi.accounts.backends.UsernameOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = int(os.environ.get("GONGZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out account and address may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A user may sign in with a username or a phone number; both count against the same account.
AXES_USERNAME_CALLABLE = "gongzhi.accounts.backends.throttle_identity"
AXES_LOCKOUT_CALLABLE = "gongzhi.accounts.views.locked_out"
AXES_VERBOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GONGZHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind HTTPS: tell browsers to use nothing else for this long (0: no HSTS header).
SECURE_HSTS_SECONDS = int(os.environ.get("GONGZHI_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GONGZHI_HSTS_SUBDOMAINS", False)
SECURE_REFERRER_POLICY = "same-origin"
API_TOKEN_DAYS = int(os.environ.get("GONGZHI_API_TOKEN_DAYS", "90"))

# --- language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "gongzhi_language"

# --- static files ---------------------------------------------------------------------------
# Front-end packages are installed by npm from package-lock.json into node_modules; only the
# built files each page needs are exposed, under static/vendor/.
NODE_MODULES = Path(os.environ.get("GONGZHI_NODE_MODULES", PROJECT_DIR / "node_modules"))
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GONGZHI_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (f"vendor/{name}", NODE_MODULES / name / sub)
    for name, sub in [("htmx.org", "dist"), ("leaflet", "dist"), ("echarts", "dist")]
    if (NODE_MODULES / name / sub).is_dir()
]
STORAGES = {
    # Uploads are sealed at rest (gongzhi.core.storage).
    "default": {"BACKEND": "gongzhi.core.storage.SealedStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Uploads no web server may expose (gongzhi.registry.storage); backed up with the database.
GONGZHI_PRIVATE_ROOT = Path(os.environ.get("GONGZHI_PRIVATE_ROOT", DATA_DIR / "private"))

# --- maps -----------------------------------------------------------------------------------
# Empty means no base map: the grid map draws our own GeoJSON on a plain background, which is
# what an intranet deployment without a tile service gets.
MAP_TILE_URL = os.environ.get("GONGZHI_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("GONGZHI_TILE_ATTRIBUTION", "")
# Overlaps and gaps smaller than this are rounding noise from coordinate precision, not blank zones.
GRID_TOLERANCE_M2 = float(os.environ.get("GONGZHI_GRID_TOLERANCE_M2", "1.0"))
# An import that would retire more than this share of a community's grids (or all of them) needs an
# explicit confirmation: an empty or wrong file must not wipe a community's grid layer by mistake.
GONGZHI_GRID_IMPORT_MAX_RETIRE_SHARE = float(os.environ.get("GONGZHI_GRID_IMPORT_MAX_RETIRE_SHARE", "0.5"))
# "Not visited in N days" on a grid worker's pages starts at this N; the page lets them change it.
REGISTRY_NOT_VISITED_DAYS = int(os.environ.get("GONGZHI_REGISTRY_NOT_VISITED_DAYS", "90"))
# Requests a minute an Open311 API key may make when the key sets no limit of its own (0: none).
GONGZHI_OPEN311_RATE_PER_MINUTE = int(os.environ.get("GONGZHI_OPEN311_RATE_PER_MINUTE", "60"))

# --- logging: never log request bodies or personal data -------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGZHI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.db.backends": {"level": "INFO"},
                # Configured here, the task worker does not add a handler of its own (each line twice).
                "huey": {"handlers": ["console"], "propagate": False}},
}

APP_NAME = _("Gongzhi community governance")
