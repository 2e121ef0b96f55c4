"""`manage.py create_api_token NAME [--read-write]`: prints the token once."""

from django.core.management.base import BaseCommand

from signhub.persist.models import ApiToken


class Command(BaseCommand):
    help = "Create a Persist API token (read-only unless --read-write) and print it once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--read-write", action="store_true", help="allow saves and deletes")

    def handle(self, *args, name: str, read_write: bool, **options) -> None:
        token, raw = ApiToken.issue(name=name, can_write=read_write)
        access = "read-write" if read_write else "read-only"
        self.stderr.write(f"Created {access} token “{token.name}” (id {token.pk}). Shown once:")
        self.stdout.write(raw)
