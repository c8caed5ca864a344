"""Test settings: fast hashing, in-memory email, deterministic behaviour."""

import os

from .base import *  # noqa: F403
from .base import SQLITE_OPTIONS, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "boutique.accounts.sms.MemorySmsSender"
NOTIFICATION_SMS_BACKEND = "boutique.notifications.senders.MemorySmsSender"
NOTIFICATION_WHATSAPP_BACKEND = "boutique.notifications.senders.MemoryWhatsAppSender"
# Tests send in-process unless a test points Celery at a broker itself.
CELERY_BROKER_URL = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# One process: the locmem cache sees every change (cleared per test in conftest.py).
CATALOG_CACHE = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A fresh clone has no var/ yet; SQLite will not create the folder itself.
(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
if not env("DATABASE_URL", default=""):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", default=str(BASE_DIR / "var" / "test.sqlite3")),  # noqa: F405
            "OPTIONS": SQLITE_OPTIONS,
            # One file per pytest process, so parallel runs in one checkout never collide.
            "TEST": {"NAME": str(BASE_DIR / "var" / f"test-run-{os.getpid()}.sqlite3")},  # noqa: F405
        }
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"]},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
