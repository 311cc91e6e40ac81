"""Gongzhi settings, read from the environment.

One module for every deployment: the embedded default (SQLite in WAL mode, background work
in-process) and production (PostgreSQL + Redis) differ only by environment variables, which
docs/operations.md lists.
"""

import hashlib
import os
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("GONGZHI_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("GONGZHI_DEBUG")
SECRET_KEY = env("GONGZHI_SECRET_KEY")
if not SECRET_KEY:
    # The embedded default keeps a generated key in the data folder so that sessions and
    # encrypted fields survive restarts; production sets GONGZHI_SECRET_KEY.
    key_file = DATA_DIR / "secret.key"
    if not key_file.exists():
        key_file.write_text(hashlib.sha256(os.urandom(64)).hexdigest())
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

# Key for personal data encrypted at rest (ID numbers, phones). Separate from SECRET_KEY in
# production so that rotating sessions never makes personal data unreadable.
FIELD_ENCRYPTION_KEY = env("GONGZHI_FIELD_KEY", SECRET_KEY)
# Earlier field keys (comma-separated) that still decrypt rows until `gongzhi crypto rotate`
# has re-encrypted them with the current key (ADR 0034).
FIELD_ENCRYPTION_OLD_KEYS = [k for k in env("GONGZHI_FIELD_OLD_KEYS").split(",") if k]
# "standard" (Fernet, SHA-256) or "sm" (SM4-GCM, SM3: GB/T 39786, ADR 0034).
GONGZHI_CRYPTO = env("GONGZHI_CRYPTO", "standard")

ALLOWED_HOSTS = [
    h for h in env("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env("GONGZHI_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "apps.core",
    "apps.places",
    "apps.accounts",
    "apps.people",
    "apps.orgs",
    "apps.duties",
    "apps.ledgers",
    "apps.notifications",
    "apps.cases",
    "apps.open311",
    "apps.portal",
    "apps.demo",
    "apps.ecg",
    "apps.services",
    "apps.volunteers",
    "apps.dual",
    "apps.stats",
    "apps.visits",
    "apps.meetings",
    "apps.care",
    "apps.mediation",
    "apps.errands",
    "apps.brands",
    "apps.activities",
    "apps.reports",
    "apps.forestry",
    "apps.projects",
    "apps.collective",
    "apps.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.UploadLimitMiddleware",
    "apps.core.middleware.RejectNulMiddleware",
    # Compresses HTML, JSON and the static files WhiteNoise has no .gz/.br copy of (ADR 0021).
    "apps.core.compression.TextGZipMiddleware",
    # WhiteNoise; `?v=<content hash>` static URLs are cached a year (apps/core/statichash.py).
    "apps.core.statichash.HashedWhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # a role with a narrow job opens only its modules (apps/accounts/modules.py)
    "apps.accounts.modules.ModuleGateMiddleware",
    # an expired password: only the change page until it is changed (apps/accounts/passwords.py)
    "apps.accounts.passwords.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.SecurityHeadersMiddleware",
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
                "django.template.context_processors.i18n",
                "apps.accounts.context_processors.roles",
                "apps.portal.context_processors.choices",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'gongzhi.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers wait instead of failing
        # with "database is locked" half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=30000;"
            "PRAGMA cache_size=-65536;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=268435456;"
        ),
    }
    # Tests use a file, not an in-memory database: only a file has WAL and lets concurrent
    # writers wait for each other (the in-memory shared cache fails them at once), so the
    # concurrency tests run on SQLite too. One file per process (xdist workers included).
    DATABASES["default"]["TEST"] = {
        "NAME": env("GONGZHI_TEST_SQLITE")
        or str(Path(tempfile.gettempdir()) / f"gongzhi-test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": env("GONGZHI_TEST_DB", "gongzhi_test")}
    # Server-side binding and prepared statements (ADR 0075): a statement run twice on a
    # connection is parsed and planned once; PostgreSQL's CPU per case action −39 %. Off for
    # a pooler in transaction mode (GONGZHI_PG_PREPARE=0), which cannot keep them.
    if env_bool("GONGZHI_PG_PREPARE", True):
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "places:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # MLPS 2.0 level 3 (apps/accounts/passwords.py): three kinds of characters, no reuse
    {"NAME": "apps.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "apps.accounts.passwords.PasswordHistoryValidator"},
]
PASSWORD_HISTORY = 5  # the last passwords a new one may not repeat
# Days a password lasts; then the account is sent to change it at login (0: never expires).
PASSWORD_MAX_AGE_DAYS = int(env("GONGZHI_PASSWORD_MAX_AGE_DAYS", "90"))

# Login holds (apps.accounts.lockout), each for LOGIN_LOCKOUT_MINUTES: an address on one
# account after LOGIN_MAX_FAILURES failures, an address on every account after
# LOGIN_ADDRESS_MAX_FAILURES, an account from everywhere after LOGIN_ACCOUNT_MAX_FAILURES.
LOGIN_MAX_FAILURES = int(env("GONGZHI_LOGIN_MAX_FAILURES", "5"))
LOGIN_ADDRESS_MAX_FAILURES = int(env("GONGZHI_LOGIN_ADDRESS_MAX_FAILURES", "20"))
LOGIN_ACCOUNT_MAX_FAILURES = int(env("GONGZHI_LOGIN_ACCOUNT_MAX_FAILURES", "50"))
LOGIN_LOCKOUT_MINUTES = int(env("GONGZHI_LOGIN_LOCKOUT_MINUTES", "15"))
# Two factors (password + TOTP, apps.accounts.two_factor) for these roles (superusers always).
# An enrolled account always gives its code; enrolment is forced when TWO_FACTOR_REQUIRED
# (default: on with GONGZHI_HTTPS, so the plain-HTTP demo logs in with the password alone).
TWO_FACTOR_ROLES = [
    r.strip()
    for r in env("GONGZHI_2FA_ROLES", "admin,security_admin,auditor,county_leader").split(",")
    if r.strip()
]
TWO_FACTOR_REQUIRED = env_bool("GONGZHI_2FA_REQUIRED", env_bool("GONGZHI_HTTPS"))

SESSION_COOKIE_AGE = int(env("GONGZHI_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Served over HTTPS (production): also refuses to start with the demo accounts present
# (apps/demo/checks.py: `manage.py check --deploy`, `gongzhi serve`).
GONGZHI_HTTPS = env_bool("GONGZHI_HTTPS")
SESSION_COOKIE_SECURE = env_bool("GONGZHI_HTTPS")
CSRF_COOKIE_SECURE = env_bool("GONGZHI_HTTPS")
SECURE_SSL_REDIRECT = env_bool("GONGZHI_HTTPS")
SECURE_HSTS_SECONDS = 31536000 if env_bool("GONGZHI_HTTPS") else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GONGZHI_HTTPS")
# Reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For is believed
# for the client's address (throttles, login lockout, audit: apps.core.net). Empty: the header
# is ignored and REMOTE_ADDR is the client.
GONGZHI_TRUSTED_PROXIES = [
    p.strip() for p in env("GONGZHI_TRUSTED_PROXIES").split(",") if p.strip()
]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("GONGZHI_HTTPS") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS preload lists public domains in browsers' source code; intranet hosts of a county
# government must not be submitted there, so preload stays off deliberately.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LANGUAGE_CODE = "zh-hans"
# Chinese only: the English switch translated nothing (no catalogue), so it was removed
# (issue 20). A stale language cookie falls back to Chinese (ChineseFirstLocaleMiddleware).
LANGUAGES = [("zh-hans", "简体中文")]
# Date inputs render ISO dates (2026-12-06), the only value <input type="date"> accepts;
# Chinese locale formats would write 2026/12/06 and the browser shows an empty field.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start otherwise
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files are served by the application after the record's scope check (apps/core/media.py);
# behind nginx, set this to an `internal` location aliasing MEDIA_ROOT and nginx sends the file
# (X-Accel-Redirect, docs/operations.md).
GONGZHI_MEDIA_ACCEL_PREFIX = env("GONGZHI_MEDIA_ACCEL_PREFIX")
# Open311 public read mode: GET requests.{json,xml} and requests/<id> answer without a key,
# with public-space cases and no personal data (docs/api.md). Writes always need a key.
GONGZHI_OPEN311_PUBLIC_READ = env_bool("GONGZHI_OPEN311_PUBLIC_READ")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "apps.core.statichash.HashedStaticFilesStorage"},
}
# Serve static files from the source folders too, so `gongzhi serve` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Part of the field app's version (apps/outbox): a deployment may set it to renew the phones'
# caches even when no file of the app shell changed.
GONGZHI_APP_VERSION = env("GONGZHI_APP_VERSION")
# A photo staged by the field app (/outbox/upload/) whose record never took it is deleted after
# this many days (apps.outbox.tasks); a record arriving later has the phone send it again.
OUTBOX_UPLOAD_RETENTION_DAYS = int(env("GONGZHI_OUTBOX_UPLOAD_RETENTION_DAYS", "7"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LEDGER_UPLOAD_MAX_BYTES = int(env("GONGZHI_LEDGER_MAX_BYTES", str(512 * 1024 * 1024)))
# Any request body larger than this is refused from its Content-Length, before a byte is read
# (apps.core.middleware.UploadLimitMiddleware); ledger uploads may reach LEDGER_UPLOAD_MAX_BYTES.
# Files over FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file on disk, never to memory.
UPLOAD_MAX_BYTES = int(env("GONGZHI_UPLOAD_MAX_BYTES", str(60 * 1024 * 1024)))
# Pillow decodes no image larger than this (a 40 Mpx JPEG cost 243 MB per request).
GONGZHI_MAX_IMAGE_PIXELS = int(env("GONGZHI_MAX_IMAGE_PIXELS", "25000000"))
# Audit events stay in the database this many days (at least 186: six months, 网络安全法 art. 21;
# less is refused by `manage.py check` and by `gongzhi audit archive`), then go to archive files
# in AUDIT_ARCHIVE_DIR with the chain still verifiable (`gongzhi audit verify-archive`).
AUDIT_RETENTION_DAYS = int(env("GONGZHI_AUDIT_RETENTION_DAYS", "365"))
AUDIT_ARCHIVE_DIR = Path(env("GONGZHI_AUDIT_ARCHIVE_DIR", str(DATA_DIR / "audit-archive")))
# Ledger files: rows, columns and seconds of reading (apps.ledgers.readers.bounded); an import
# with no sign of life for LEDGER_STALE_MINUTES is failed and can be retried.
LEDGER_MAX_ROWS = int(env("GONGZHI_LEDGER_MAX_ROWS", "1000000"))
LEDGER_MAX_COLUMNS = int(env("GONGZHI_LEDGER_MAX_COLUMNS", "200"))
# An .xlsx unpacks to at most this (and 100 times its own size): apps.ledgers.readers.
LEDGER_MAX_UNZIPPED_BYTES = int(env("GONGZHI_LEDGER_MAX_UNZIPPED_BYTES", str(1024 * 1024 * 1024)))
LEDGER_MAX_SECONDS = int(env("GONGZHI_LEDGER_MAX_SECONDS", "3600"))
LEDGER_STALE_MINUTES = int(env("GONGZHI_LEDGER_STALE_MINUTES", "10"))
# A briefing still "running" after this long (its worker died) is marked failed.
REPORT_MAX_SECONDS = int(env("GONGZHI_REPORT_MAX_SECONDS", "900"))
# Health check (/api/v1/health): more queued tasks than this is reported as a backlog.
HEALTH_MAX_BACKLOG = int(env("GONGZHI_HEALTH_MAX_BACKLOG", "1000"))

# Background work: "inline" runs tasks in a thread of the web process (embedded default);
# "redis" queues them for `gongzhi worker` processes (production).
TASKS_BACKEND = env("GONGZHI_TASKS", "inline")
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")

# With several processes (Redis workers, several web processes) the cache must be shared: the
# portal's submission throttle and the import progress bar live there.
if TASKS_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("GONGZHI_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "gongzhi",
        }
    }

# How long a verified API key's account stays cached (apps.accounts.apikeys; docs/api.md).
GONGZHI_API_KEY_CACHE_SECONDS = int(env("GONGZHI_API_KEY_CACHE_SECONDS", "30"))
# Redis keys of the task queue start with this (tests give each run its own).
TASKS_REDIS_PREFIX = "gongzhi:tasks"

# The site's address, for absolute links in text messages and e-mails (empty: paths only).
SITE_URL = env("GONGZHI_SITE_URL")

# Rules of the apps, declared here so every one is in one place and read as settings.NAME.
# Cases: the "soon due" warning starts at this fraction of the time left, or this many hours
# before the deadline; a resolved case's revisit is due after this many days; photos up to
# this size; a new case is a possible duplicate of one within these days and metres whose
# text similarity reaches the threshold.
CASES_WARNING_FRACTION = 0.25
CASES_WARNING_LEAD_HOURS = 2
CASES_REVISIT_AFTER_DAYS = 3
CASES_ATTACHMENT_MAX_BYTES = 8 * 1024 * 1024
CASES_DUPLICATE_DAYS = 14
CASES_DUPLICATE_METRES = 300
CASES_DUPLICATE_THRESHOLD = 0.45
# Volunteers: points per approved hour; approved hours for 一星 … 五星 (全国志愿服务信息系统).
SERVICES_POINTS_PER_HOUR = 10
SERVICES_STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)
# Activities: a check-in link stays valid this long after the end; failed name + phone-suffix
# check-ins allowed per address, activity and hour.
ACTIVITIES_CHECKIN_GRACE_MINUTES = 120
ACTIVITIES_CHECKIN_FAILURES_PER_HOUR = 30
# Residents without an account, per address and hour: submissions (reports, volunteer
# sign-up) and look-ups of a case by number and phone suffix.
PORTAL_SUBMITS_PER_HOUR = 20
PORTAL_LOOKUPS_PER_HOUR = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("GONGZHI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering narrates every layout step at INFO; only its problems are news.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
