"""WSGI entry point (gunicorn signhub.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
application = get_wsgi_application()

from signhub.ops.worker import prepare  # noqa: E402 - needs the configured settings

prepare()  # every view imported, long-lived objects out of the collector's way
