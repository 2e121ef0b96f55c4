"""python manage.py add_account PROVIDER --name NAME [--base-url URL] [--credential K=V ...]
[--credential-file K=PATH ...] [--option K=V ...]

Without tokens an OAuth app's account (box, boldsign, bitrix24) is created waiting to be
connected: `connect_info NAME` prints the URLs to register and the one that connects it.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from signhub.core.accounts import AccountInput, create_account


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{flag} expects KEY=VALUE, got {item.split('=')[0]!r}")
        pairs[key.strip()] = value
    return pairs


def _files(values: list[str]) -> dict[str, str]:
    """KEY=PATH → the file's text (e.g. a Box app's JWT config JSON), read as UTF-8."""
    contents = {}
    for key, path in _pairs(values, "--credential-file").items():
        try:
            contents[key] = Path(path).expanduser().read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ValidationError(
                f"--credential-file {key}: cannot read {path}: {reason}"
            ) from None
    return contents


class Command(BaseCommand):
    help = "Create a provider account after validating it with the provider's form; prints its id."

    def add_arguments(self, parser):
        parser.add_argument("provider")
        parser.add_argument("--name", required=True)
        parser.add_argument("--base-url", default="")
        parser.add_argument("--credential", action="append", metavar="KEY=VALUE", default=[])
        parser.add_argument(
            "--credential-file",
            action="append",
            metavar="KEY=PATH",
            default=[],
            help="read a credential's value from a file (e.g. jwt_config=box_config.json)",
        )
        parser.add_argument("--option", action="append", metavar="KEY=VALUE", default=[])

    def handle(self, *args, **opts):
        try:
            account = create_account(
                AccountInput(
                    provider=opts["provider"],
                    name=opts["name"],
                    base_url=opts["base_url"],
                    credentials={
                        **_pairs(opts["credential"], "--credential"),
                        **_files(opts["credential_file"]),
                    },
                    options=_pairs(opts["option"], "--option"),
                )
            )
        except ValidationError as exc:
            raise CommandError(f"add_account: {' '.join(exc.messages)}", returncode=2) from exc
        self.stdout.write(str(account.pk))
        if account.awaiting_connect:
            self.stderr.write(
                f"{account.name} is waiting to be connected: run `manage.py connect_info "
                f"{account.name}` for the URLs to register and the one that connects it."
            )
