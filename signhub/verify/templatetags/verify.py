"""`{% verify_panel doc %}`: the "Verify signatures" block of the document detail."""

from __future__ import annotations

from django import template

from signhub.verify.models import VerificationJob

register = template.Library()


@register.inclusion_tag("verify/_document_files.html", takes_context=True)
def verify_panel(context, document):
    """One row per signed file: its latest verification (if any) and the button."""
    signed = [f for f in document.files or [] if f.get("key") and f.get("kind") == "signed"]
    latest: dict[str, VerificationJob] = {}
    if signed:
        jobs = (
            VerificationJob.objects.filter(
                document=document, file_key__in=[f["key"] for f in signed]
            )
            .select_related("verdict")
            .order_by("file_key", "-created_at", "-id")
        )
        for job in jobs:
            latest.setdefault(job.file_key, job)
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "document": document,
        "rows": [{"file": f, "job": latest.get(f["key"])} for f in signed],
    }
