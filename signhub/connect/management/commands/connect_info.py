"""python manage.py connect_info NAME — the account's connection state and public URLs.

Prints `key: value` lines: `state:` always; `connect_url:` and `redirect_uri:` for providers
with a consent screen; `install_url:` where the provider installs an app (Bitrix24);
`webhook_url:` where the provider delivers events. URLs are built from SIGNHUB_PUBLIC_URL.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from signhub.connect import links
from signhub.core.models import ProviderAccount


class Command(BaseCommand):
    help = "Show an account's connection state and the URLs to register with its provider."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, **opts):
        account = ProviderAccount.objects.filter(name=opts["name"]).first()
        if account is None:
            raise CommandError(f"No account named {opts['name']!r}", returncode=2)
        if not settings.SIGNHUB_PUBLIC_URL:
            self.stderr.write(
                f"SIGNHUB_PUBLIC_URL is not set: URLs below use {links.FALLBACK_PUBLIC_URL}"
            )
        lines = {
            "state": account.connection_state,
            "connect_url": links.connect_url(account),
            "redirect_uri": links.redirect_uri(account),
            "install_url": links.install_url(account),
            "webhook_url": links.webhook_url(account),
        }
        for key, value in lines.items():
            if value is not None:
                self.stdout.write(f"{key}: {value}")
