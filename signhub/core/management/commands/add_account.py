"""python manage.py add_account PROVIDER --name NAME [--base-url URL] [--credential K=V ...]"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from signhub.core.accounts import AccountInput, create_account


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{flag} expects KEY=VALUE, got {item.split('=')[0]!r}")
        pairs[key.strip()] = value
    return pairs


class Command(BaseCommand):
    help = "Create a provider account after validating it with the provider's form; prints its id."

    def add_arguments(self, parser):
        parser.add_argument("provider")
        parser.add_argument("--name", required=True)
        parser.add_argument("--base-url", default="")
        parser.add_argument("--credential", action="append", metavar="KEY=VALUE", default=[])
        parser.add_argument("--option", action="append", metavar="KEY=VALUE", default=[])

    def handle(self, *args, **opts):
        try:
            account = create_account(
                AccountInput(
                    provider=opts["provider"],
                    name=opts["name"],
                    base_url=opts["base_url"],
                    credentials=_pairs(opts["credential"], "--credential"),
                    options=_pairs(opts["option"], "--option"),
                )
            )
        except ValidationError as exc:
            self.stderr.write(f"add_account: {' '.join(exc.messages)}")
            sys.exit(2)
        self.stdout.write(str(account.pk))
