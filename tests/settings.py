"""Settings of the test suite (pyproject's `DJANGO_SETTINGS_MODULE = "tests.settings"`).

signhub's own settings, plus what a test run needs and production must never get: no
`.env` (a developer's file must not change results), a fixed key when none is given, tasks
run at once, plain static files (no collected manifest), plain-HTTP cookies and no HTTPS
redirect (the test client speaks HTTP), login throttling off unless a test turns it on
(the test client logs in without a request), the providers' sandbox on. DATABASE_URL and
CACHE_URL still choose the database and cache, as in production.
"""

import os

os.environ["SIGNHUB_ENV_FILE"] = ""
os.environ.setdefault("SECRET_KEY", "signhub-tests-only-" + "x" * 40)

from signhub.settings import *  # noqa: E402, F403
from signhub.settings import TASKS, env  # noqa: E402

TASKS["default"]["BACKEND"] = env.str(
    "SIGNHUB_TASK_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
SIGNHUB_SANDBOX_ENABLED = env.bool("SIGNHUB_SANDBOX_ENABLED", default=True)
