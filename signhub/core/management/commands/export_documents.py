"""python manage.py export_documents [--format jsonl|csv] [--provider P] [--status S]"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from signhub.core.export import EXPORT_FIELDS, iter_export
from signhub.core.models import SignedDocument
from signhub.core.registry import registry
from signhub.core.spreadsheet import safe_cell
from signhub.core.status import DocumentStatus


class Command(BaseCommand):
    help = "Write the normalized index to stdout, streamed, one record per document."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument("--provider", action="append", default=[])
        parser.add_argument("--status", action="append", default=[])
        parser.add_argument("--account", action="append", default=[], metavar="NAME")
        parser.add_argument("--exclude-removed", action="store_true")

    def handle(self, *args, **opts):
        qs = SignedDocument.objects.all()
        for provider in opts["provider"]:
            if provider not in registry:
                raise CommandError(f"Unknown provider {provider!r} ({', '.join(registry.keys())})")
        for status in opts["status"]:
            if status not in DocumentStatus.values:
                raise CommandError(
                    f"Unknown status {status!r} ({', '.join(DocumentStatus.values)})"
                )
        if opts["provider"]:
            qs = qs.filter(provider__in=opts["provider"])
        if opts["status"]:
            qs = qs.filter(status__in=opts["status"])
        if opts["account"]:
            qs = qs.filter(account__name__in=opts["account"])
        if opts["exclude_removed"]:
            qs = qs.filter(removed_at__isnull=True)

        out = self.stdout._out
        if opts["format"] == "jsonl":
            for record in iter_export(qs):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
            writer.writeheader()
            for record in iter_export(qs):
                writer.writerow({k: safe_cell(v, joiner=";") for k, v in record.items()})
        out.flush()
