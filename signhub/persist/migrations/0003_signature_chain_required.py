# The second half of 0002: drop the columns the chain now holds, make the link required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("persist", "0002_signature_chains_and_trash"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="signature",
            options={"ordering": ["chain", "-version"]},
        ),
        migrations.RemoveConstraint(
            model_name="signature",
            name="persist_signature_version_unique",
        ),
        migrations.RemoveIndex(
            model_name="signature",
            name="persist_sig_thread_idx",
        ),
        migrations.RemoveField(model_name="signature", name="document"),
        migrations.RemoveField(model_name="signature", name="thread"),
        migrations.RemoveField(model_name="signature", name="updated_at"),
        migrations.AlterField(
            model_name="signature",
            name="chain",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="versions", to="persist.signaturechain"),
        ),
        migrations.AlterField(
            model_name="signature",
            name="kind",
            field=models.CharField(choices=[("cms", "CMS / PKCS#7"), ("xml", "XML signature"), ("raw", "Opaque blob (not read)")], max_length=3),
        ),
        migrations.AddIndex(
            model_name="signaturechain",
            index=models.Index(fields=["thread"], name="persist_chain_thread_idx"),
        ),
        migrations.AddIndex(
            model_name="signaturechain",
            index=models.Index(fields=["deleted_at"], name="persist_chain_deleted_idx"),
        ),
        migrations.AddConstraint(
            model_name="signaturechain",
            constraint=models.UniqueConstraint(condition=models.Q(("deleted_at__isnull", True)), fields=("document", "thread"), name="persist_chain_live_unique"),
        ),
        migrations.AddConstraint(
            model_name="signature",
            constraint=models.UniqueConstraint(fields=("chain", "version"), name="persist_signature_version_unique"),
        ),
    ]
