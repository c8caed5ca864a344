"""Settings shared by every environment. Values come from the environment with
safe defaults for local use; see README for the variables."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin: per-language fields and tabs for catalogue content.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "boutique.core",
    "boutique.audit",
    "boutique.accounts",
    "boutique.marketplace",
    "boutique.catalog",
    "boutique.inventory",
    "boutique.cart",
    "boutique.promotions",
    "boutique.orders",
    "boutique.payments",
    "boutique.shipping",
    "boutique.notifications",
    "boutique.reviews",
    "boutique.support",
    "boutique.kids",
    "boutique.registry",
    "boutique.backoffice",
    "boutique.storefront",
    "imagekit",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "csp",
    "django_prometheus",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "boutique.core.middleware.RequestIdMiddleware",
    "boutique.core.middleware.ApiBodySizeMiddleware",
    "boutique.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the language comes from the
    # django_language cookie (set by the switcher), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSRF and CSP: a cached page gets this request's token and nonce.
    "boutique.storefront.pagecache.AnonymousPageCacheMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "boutique.storefront.context_processors.shop",
                "boutique.storefront.context_processors.cart_and_wishlist",
                "boutique.storefront.context_processors.currency",
                "boutique.storefront.pagecache.csrf_token",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# SQLite by default (WAL, IMMEDIATE transactions and a busy timeout so writers
# queue instead of failing); PostgreSQL when DATABASE_URL says so.
SQLITE_PATH = env("SQLITE_PATH", default=str(BASE_DIR / "var" / "db.sqlite3"))
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=30000;"
    ),
}
SEARCH_WORD_SIMILARITY = env.float("SEARCH_WORD_SIMILARITY", default=0.5)
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Product search matches typos by trigram word similarity ("%>"); the
        # extension's default threshold (0.6) misses a swapped letter such as
        # "bodysiut". Set per connection so the trigram index still serves it.
        # Planner settings for a shop's short queries on SSDs (bench/README.md):
        # JIT compilation cost 250-400 ms on the facet counts and saves nothing
        # on queries this size; random_page_cost 1.1 (not the spinning-disk 4)
        # lets search's text-or-similarity match use both of its indexes.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "options",
            f"-c pg_trgm.word_similarity_threshold={SEARCH_WORD_SIMILARITY} "
            + env("PG_PLANNER_OPTIONS", default="-c jit=off -c random_page_cost=1.1"),
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "boutique",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Facet counts and anonymous pages cached at the catalogue version
# (boutique/catalog/cache.py). On by default only with Redis: a per-process
# cache would not see another worker's catalogue changes.
CATALOG_CACHE = env.bool("CATALOG_CACHE", default=bool(REDIS_URL))
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "boutique.accounts.backends.LoginBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email", "phone")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "storefront:signin"
LOGIN_REDIRECT_URL = "storefront:profile"
LOGOUT_REDIRECT_URL = "storefront:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Phone numbers without a "+" country prefix are read in this region.
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="LB")

# One-time codes for phone sign-in and verification.
OTP_TTL = timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5
OTP_RESEND_INTERVAL = timedelta(seconds=60)
OTP_MAX_PER_HOUR = 5
SMS_BACKEND = env("SMS_BACKEND", default="boutique.accounts.sms.ConsoleSmsSender")

# API bearer tokens.
API_TOKEN_TTL = timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90))

# Lock out repeated failed sign-ins, per account or per address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "boutique.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "boutique.accounts.backends.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "code"]
AXES_CLIENT_IP_CALLABLE = "boutique.core.net.axes_client_ip"

# How many reverse proxies in front of the app append to X-Forwarded-For. 0 means
# the header is ignored (it can be forged); lockouts and rate limits use the
# address this finds.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

# Per-client limits on what sends messages or creates accounts ("count/period").
RATE_LIMITS = {
    "register": env("RATE_LIMIT_REGISTER", default="10/h"),
    "otp_request": env("RATE_LIMIT_OTP_REQUEST", default="10/h"),
    "email_send": env("RATE_LIMIT_EMAIL_SEND", default="10/h"),
    "order_lookup": env("RATE_LIMIT_ORDER_LOOKUP", default="20/h"),
    "order_tracking": env("RATE_LIMIT_ORDER_TRACKING", default="20/h"),
    # Quotes and checkout updates that carry a coupon code: stops code guessing.
    "coupon": env("RATE_LIMIT_COUPON", default="20/h"),
    # Back-in-stock subscriptions (issue 13): each one may later send an email.
    "stock_alert": env("RATE_LIMIT_STOCK_ALERT", default="20/h"),
}

# --- Email ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Boutique <shop@boutique.local>")
# Where staff alerts (low stock) go.
STAFF_NOTIFICATION_EMAIL = env("STAFF_NOTIFICATION_EMAIL", default="staff@boutique.local")

# --- I18n, static, media ----------------------------------------------------
LANGUAGE_CODE = "en"
# English, Arabic (right to left) and French; URLs carry no language prefix.
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Catalogue names and descriptions per language (boutique/catalog/translation.py);
# a language without a translation shows the English text.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Created while another language is active (a seller writing in Arabic), the
# text also fills the English field, so every language has something to show.
MODELTRANSLATION_AUTO_POPULATE = "default"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Customers' transfer receipts: never under MEDIA_ROOT, never served by URL.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SHOP_NAME = env("SHOP_NAME", default="Boutique")

# --- Marketplace -------------------------------------------------------------------
# The shop's share of a seller's sale when the seller has no rate of their own (0–1).
MARKETPLACE_COMMISSION_RATE = env("MARKETPLACE_COMMISSION_RATE", default="0.15")

# --- Checkout and orders -----------------------------------------------------------
# Tax for destinations without a TaxRate row; whether catalogue prices include it.
DEFAULT_TAX_RATE = env("DEFAULT_TAX_RATE", default="0.06")
PRICES_INCLUDE_TAX = env.bool("PRICES_INCLUDE_TAX", default=False)
# A customer in checkout holds their items this long.
CHECKOUT_HOLD_MINUTES = env.int("CHECKOUT_HOLD_MINUTES", default=15)
# Payment methods the checkout offers, in this order.
CHECKOUT_PAYMENT_METHODS = env.list(
    "CHECKOUT_PAYMENT_METHODS", default=["cod", "card", "bank_transfer", "cash_usd", "cash_lbp"]
)
# Unpaid orders expire after this many minutes, per payment method.
ORDER_PAY_WITHIN_MINUTES = {
    "card": env.int("ORDER_PAY_WITHIN_CARD_MINUTES", default=30),
    "cod": env.int("ORDER_PAY_WITHIN_CASH_MINUTES", default=72 * 60),
    "cash_usd": env.int("ORDER_PAY_WITHIN_CASH_MINUTES", default=72 * 60),
    "cash_lbp": env.int("ORDER_PAY_WITHIN_CASH_MINUTES", default=72 * 60),
    "bank_transfer": env.int("ORDER_PAY_WITHIN_TRANSFER_MINUTES", default=72 * 60),
}
ORDER_NUMBER_PREFIX = env("ORDER_NUMBER_PREFIX", default="BQ")

# --- Payments ---------------------------------------------------------------------
# The card gateway: "test" (offline, test card numbers) or "stripe".
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="test")
PAYMENT_TEST_WEBHOOK_SECRET = env("PAYMENT_TEST_WEBHOOK_SECRET", default="whsec_test_boutique")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Stripe's API address; tests point it at a local fake server.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# A card payment still pending this long (its worker died before recording the
# gateway's answer) is looked up at the gateway and settled (payments_reconcile_stale).
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=10)
REFUND_NUMBER_PREFIX = env("REFUND_NUMBER_PREFIX", default="RF")
# Shown to customers paying by bank transfer.
BANK_TRANSFER_DETAILS = env(
    "BANK_TRANSFER_DETAILS",
    default="Boutique SAL · Bank: Example Bank, Beirut · IBAN: LB00 0000 0000 0000 0000 0000 0000",
)

# --- Notifications and background jobs -----------------------------------------
# Text messages and WhatsApp go through these senders (a provider's in production).
NOTIFICATION_SMS_BACKEND = env(
    "NOTIFICATION_SMS_BACKEND", default="boutique.notifications.senders.ConsoleSmsSender"
)
NOTIFICATION_WHATSAPP_BACKEND = env(
    "NOTIFICATION_WHATSAPP_BACKEND",
    default="boutique.notifications.senders.ConsoleWhatsAppSender",
)
# A failed send is retried after 1, 2, 4, 8 … minutes (at most an hour apart),
# and marked failed after this many attempts.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)
NOTIFICATION_BACKOFF_BASE_SECONDS = env.int("NOTIFICATION_BACKOFF_BASE_SECONDS", default=60)
NOTIFICATION_BACKOFF_MAX_SECONDS = env.int("NOTIFICATION_BACKOFF_MAX_SECONDS", default=3600)
# A worker sending a row holds it this long; if it dies, another takes over after.
NOTIFICATION_SEND_LEASE_SECONDS = env.int("NOTIFICATION_SEND_LEASE_SECONDS", default=300)

# Celery: with no broker, messages are sent in-process after commit and the
# timed jobs run from cron through their management commands.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "notifications-send-due": {"task": "notifications.send_due", "schedule": 60.0},
    "inventory-release-expired-reservations": {
        "task": "inventory.release_expired_reservations",
        "schedule": 300.0,
    },
    "orders-expire-unpaid": {"task": "orders.expire_unpaid_orders", "schedule": 300.0},
    "payments-retry-webhook-events": {"task": "payments.retry_webhook_events", "schedule": 300.0},
    "payments-reconcile-stale": {"task": "payments.reconcile_stale", "schedule": 120.0},
    "cart-remind-abandoned": {"task": "cart.remind_abandoned", "schedule": 900.0},
    # Birthday reminders 14 days ahead, each morning (idempotent per birthday).
    "kids-send-birthday-reminders": {
        "task": "kids.send_birthday_reminders",
        "schedule": crontab(minute=0, hour=7),
    },
    "shipping-retry-carrier-events": {"task": "shipping.retry_carrier_events", "schedule": 300.0},
    # Back-in-stock alerts a lost job or freed reservations left waiting (issue 13).
    "inventory-notify-stock-alerts-due": {
        "task": "inventory.notify_stock_alerts_due",
        "schedule": 600.0,
    },
    # Sellers' payouts for the previous calendar week, Monday early morning.
    "marketplace-generate-payouts": {
        "task": "marketplace.generate_payouts",
        "schedule": crontab(minute=0, hour=3, day_of_week=1),
    },
}
# Signed-in customers who opted in get one reminder this long after their
# cart's last change.
CART_REMINDER_AFTER_HOURS = env.int("CART_REMINDER_AFTER_HOURS", default=24)

# Thumbnails are generated when an image is added, so pages never wait for them.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "thumbs"
# Request size limits: a body (JSON or form fields, files excluded) over 10 MB,
# or a form with more than 2000 fields, is refused with 400; uploads over 8 MB
# go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Absolute address of the shop, for links in emails and text messages.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

# Content Security Policy (django-csp): scripts, styles and images from this
# site only (images also as data: URLs); no inline scripts or eval. A JSON-LD
# block needs {{ request.csp_nonce }}. Stripe's script and frames only when
# Stripe is the card gateway.
_STRIPE = PAYMENT_GATEWAY == "stripe"
_CSP_STRIPE = ["https://js.stripe.com"] if _STRIPE else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE, *_CSP_STRIPE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", *(["https://api.stripe.com"] if _STRIPE else [])],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"] if _STRIPE else [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Prometheus metrics at /metrics: only for these addresses (or networks) or with
# "Authorization: Bearer <METRICS_TOKEN>"; with neither, /metrics is a 404.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# Every line carries the request id (see boutique.core.logging); LOG_FORMAT=json
# writes one JSON object per line (the production default).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "boutique.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "boutique.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
