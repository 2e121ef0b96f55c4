import secrets

from django.db import migrations, models

import signhub.core.models


def fill_endpoint_keys(apps, schema_editor):
    ProviderAccount = apps.get_model("core", "ProviderAccount")
    for account in ProviderAccount.objects.filter(endpoint_key__isnull=True).only("pk"):
        ProviderAccount.objects.filter(pk=account.pk).update(endpoint_key=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_sync_sightings_and_sweep_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="provideraccount",
            name="awaiting_connect",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="provideraccount",
            name="connected_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        # Existing rows get a key each (a callable default would give them all one value).
        migrations.AddField(
            model_name="provideraccount",
            name="endpoint_key",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_endpoint_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="syncrun",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("succeeded", "Succeeded"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped"),
                ],
                default="queued",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="provideraccount",
            name="endpoint_key",
            field=models.CharField(
                default=signhub.core.models.new_endpoint_key,
                editable=False,
                max_length=64,
                unique=True,
            ),
        ),
    ]
