"""The evidence-pack request: explicit ids, or "everything matching the list's filter"."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import pluralize

# Primary keys are 64-bit: a bigger number cannot name a document (and SQLite cannot bind it).
MAX_ID = 2**63 - 1


class IdListField(forms.Field):
    """Several `ids=` values, each of them possibly comma-separated (`ids=1,2,3`) → a
    sorted list of distinct ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        parts = [part.strip() for v in value for part in str(v).split(",")]
        try:
            ids = sorted({int(part) for part in parts if part})
        except (TypeError, ValueError):
            raise forms.ValidationError("Document ids must be whole numbers.") from None
        if ids and not (ids[0] >= 1 and ids[-1] <= MAX_ID):
            raise forms.ValidationError("That is not a document id.")
        return ids


class EvidencePackForm(forms.Form):
    SELECTED, FILTER = "selected", "filter"

    scope = forms.ChoiceField(
        choices=[(SELECTED, "Selected documents"), (FILTER, "All documents matching the filter")],
        required=False,
    )
    ids = IdListField(required=False)
    confirm = forms.BooleanField(required=False)

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or self.SELECTED

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.SELECTED:
            ids = cleaned.get("ids") or []
            if not ids:
                raise forms.ValidationError("Select at least one document.")
            limit = settings.SIGNHUB_EVIDENCE_MAX_DOCS
            if len(ids) > limit:
                raise forms.ValidationError(
                    f"An evidence pack holds at most {limit} document{pluralize(limit)}; "
                    f"{len(ids)} were selected."
                )
        return cleaned
