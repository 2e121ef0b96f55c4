"""WSGI entry point (gunicorn signhub.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signhub.settings")
application = get_wsgi_application()
