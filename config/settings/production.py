"""Production: every secret from the environment, HTTPS assumed."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

if SECRET_KEY.startswith("dev-only-"):
    raise ImproperlyConfigured("Set SECRET_KEY in the environment for production.")
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Cookies only over HTTPS, out of reach of scripts, not sent on cross-site posts.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Plain HTTP is redirected to HTTPS (the proxy says which one it was), and
# browsers are told to use HTTPS only for a year, subdomains included.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Load balancers and Prometheus reach these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]

# --- Database: PostgreSQL with pooled connections ----------------------------------
# DB_POOL=true: psycopg 3's pool inside each worker process (min/max connections per
# process); Django then needs CONN_MAX_AGE=0 (the pool keeps the connections).
# Otherwise persistent connections (CONN_MAX_AGE, checked before reuse), which suit
# an external pgbouncer; DB_PGBOUNCER=true for its transaction mode (no server-side
# cursors). Queries are counted for /metrics by django-prometheus's wrapper.
_db = DATABASES["default"]  # noqa: F405
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db["ENGINE"] = "django_prometheus.db.backends.postgresql"
    if env.bool("DB_POOL", default=False):
        _db["CONN_MAX_AGE"] = 0
        _db["CONN_HEALTH_CHECKS"] = False
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN", default=1),
            "max_size": env.int("DB_POOL_MAX", default=4),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }
    elif env.bool("DB_PGBOUNCER", default=False):
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True

# --- Media: local disk (MEDIA_ROOT, shared by every app server) or S3 ---------------
# With AWS_STORAGE_BUCKET_NAME set, uploads go to that bucket (AWS or any
# S3-compatible store: AWS_S3_ENDPOINT_URL). Customers' transfer receipts stay in
# PRIVATE_MEDIA_ROOT, never in a public bucket.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": AWS_STORAGE_BUCKET_NAME,
                "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
                "region_name": env("AWS_S3_REGION_NAME", default=None),
                "access_key": env("AWS_ACCESS_KEY_ID", default=None),
                "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
                "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
                "location": env("AWS_LOCATION", default="media"),
                "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
                "file_overwrite": False,
            },
        },
    }

# --- Logs: one JSON object per line, with the request id ----------------------------
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
