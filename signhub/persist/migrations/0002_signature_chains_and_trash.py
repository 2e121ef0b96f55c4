# Versions now hang off a SignatureChain (document, thread), which carries the chain's own
# created/updated times and the trash mark. Existing rows are grouped into chains here; the
# old columns go in 0003 (a separate transaction: PostgreSQL refuses ALTER TABLE while the
# deferred foreign-key checks of this data migration are pending).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import Max, Min


def group_into_chains(apps, schema_editor):
    Signature = apps.get_model("persist", "Signature")
    SignatureChain = apps.get_model("persist", "SignatureChain")
    pairs = (
        Signature.objects.values("document", "thread")
        .annotate(first=Min("created_at"), last=Max("created_at"))
        .order_by()
    )
    for pair in pairs:
        chain = SignatureChain.objects.create(
            document=pair["document"],
            thread=pair["thread"],
            created_at=pair["first"],
            updated_at=pair["last"],
        )
        Signature.objects.filter(document=pair["document"], thread=pair["thread"]).update(
            chain=chain
        )


class Migration(migrations.Migration):

    dependencies = [
        ("persist", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SignatureChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("document", models.CharField(max_length=255)),
                ("thread", models.CharField(max_length=255)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("deleted_at", models.DateTimeField(blank=True, null=True)),
                ("deleted_by", models.CharField(blank=True, max_length=150)),
            ],
        ),
        migrations.AddField(
            model_name="signature",
            name="chain",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="versions", to="persist.signaturechain"),
        ),
        migrations.RunPython(group_into_chains, migrations.RunPython.noop),
    ]
