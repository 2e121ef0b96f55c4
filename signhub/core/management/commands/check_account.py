"""python manage.py check_account NAME — one cheap authenticated call to the provider."""

from django.core.management.base import BaseCommand, CommandError

from signhub.core.errors import ConnectorError
from signhub.core.models import ProviderAccount


class Command(BaseCommand):
    help = "Test an account's connection and credentials."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, **opts):
        account = ProviderAccount.objects.filter(name=opts["name"]).first()
        if account is None:
            raise CommandError(f"No account named {opts['name']!r}")
        if account.awaiting_connect:
            raise CommandError(
                f"{account.name}: not connected yet — open the connect_url that "
                f"`manage.py connect_info {account.name}` prints (as an administrator)",
                returncode=2,
            )
        try:
            message = account.connector().check_connection()
        except ConnectorError as exc:
            raise CommandError(
                f"{account.name}: FAILED [{exc.code}] {exc.message}", returncode=2
            ) from exc
        self.stdout.write(f"{account.name}: ok — {message}")
