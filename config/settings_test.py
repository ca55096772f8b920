"""Settings for the test suite (pytest's DJANGO_SETTINGS_MODULE): production's settings with DEBUG off,
less what needs HTTPS or collected static files, and a fast password hasher.

The suite runs the real security settings otherwise (CSP, lockout, session expiry, CSRF), so what it
checks is what production does.
"""

import os

# Production refuses to start without a secret key; a test run has no secret to keep.
os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 40)

from config.settings import *  # noqa: F403  all of production's settings, then the few changes below

# The test client speaks plain HTTP: no redirect to HTTPS, no cookie that only travels over TLS.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

# Static files are served from the apps' folders, without `collectstatic` and its manifest.
STORAGES = {
    **STORAGES,  # noqa: F405  production's, from the star import above
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Hashing a password on purpose takes time; tests create dozens of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No second factor unless a test asks for one (override_settings(VIGIE_OTP_REQUIRED_ROLES=...)): most tests sign
# in with force_login and are about something else. The second-factor tests set the production default.
VIGIE_OTP_REQUIRED_ROLES = frozenset()

# Tests run background jobs inside the request, in their own transaction, as before: a job's thread would not see
# the rows a test has not committed. The embedded mode's thread has its own test (reports/tests/test_jobs_reliability).
VIGIE_JOBS_ON_A_THREAD = False

# A "replica" alias, the test database itself (a mirror: Django creates no second database), so tests can show which
# reads go to a replica (reports/tests/test_replica.py). Reads use it only where a test sets VIGIE_READING_DATABASE:
# a mirror is another connection, which does not see what a test's transaction has not committed.
DATABASES = {
    **DATABASES,  # noqa: F405  production's, from the star import above
    "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}},  # noqa: F405
}
VIGIE_READING_DATABASE = "default"
