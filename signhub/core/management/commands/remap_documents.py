"""python manage.py remap_documents [--provider P] [--account NAME]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from signhub.core.models import SignedDocument
from signhub.core.registry import registry
from signhub.core.remap import remap


class Command(BaseCommand):
    help = (
        "Re-map indexed documents from their stored raw payloads with today's mappings "
        "(no provider call); the next sync refreshes them from the provider anyway."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", action="append", default=[])
        parser.add_argument("--account", action="append", default=[], metavar="NAME")

    def handle(self, *args, **opts):
        qs = SignedDocument.objects.all()
        for provider in opts["provider"]:
            if provider not in registry:
                raise CommandError(f"Unknown provider {provider!r} ({', '.join(registry.keys())})")
        if opts["provider"]:
            qs = qs.filter(provider__in=opts["provider"])
        if opts["account"]:
            qs = qs.filter(account__name__in=opts["account"])
        changed = remap(SignedDocument, qs, now=timezone.now())
        self.stdout.write(f"{changed} document(s) re-mapped")
