"""Re-encrypt every account's credentials with the newest SIGNHUB_ENCRYPTION_KEYS key."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from signhub.core.crypto import rotate_token
from signhub.core.models import ProviderAccount


class Command(BaseCommand):
    help = "Re-encrypt stored credentials with the first (newest) key in SIGNHUB_ENCRYPTION_KEYS."

    def handle(self, *args, **opts):
        count = 0
        with transaction.atomic():
            # Work on the stored tokens directly: MultiFernet.rotate never exposes plain text.
            table = ProviderAccount._meta.db_table
            with connection.cursor() as cursor:
                qn = connection.ops.quote_name
                cursor.execute(f"SELECT id, {qn('credentials')} FROM {qn(table)}")
                rows = cursor.fetchall()
                for pk, token in rows:
                    if not token:
                        continue
                    cursor.execute(
                        f"UPDATE {qn(table)} SET {qn('credentials')} = %s WHERE id = %s",
                        [rotate_token(token), pk],
                    )
                    count += 1
        self.stdout.write(f"Re-encrypted the credentials of {count} account(s).")
