"""Settings for pytest.

Same wiring as development; faster password hashing and an in-memory mailbox.
The database is a file on SQLite (not ``:memory:``) so a real Celery worker
process started by a test can open the same test database.
"""

import os

from .base import *  # noqa: F403
from .base import DATABASES, LOCAL_CACHE, STORAGES, VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "local": LOCAL_CACHE}
# Tasks run in-process when their transaction commits, so a test sees the
# email a change sends. The real-worker test publishes to Redis explicitly.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file per test process, so two suites on one machine never collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}

# Uploaded files of one test process, removed when its session ends (conftest).
MEDIA_ROOT = VAR_DIR / f"test_media_{os.getpid()}"
# Local disk whatever the environment says: the s3 tests switch to their own
# moto server (marketplace/tests/s3.py), every other test runs on disk.
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None
