"""Query-string and upload forms of the viewer: bad input becomes a form error, never a 500."""

from __future__ import annotations

import datetime as dt

from django import forms

from signhub.core.widgets import IsoDateInput

MAX_ID = 2**63 - 1  # database ids are 64-bit; a larger number names nothing
MAX_CONTENT_BYTES = 25 * 1024 * 1024
EARLIEST = dt.date(1900, 1, 1)


class SignatureFilterForm(forms.Form):
    document = forms.CharField(required=False, max_length=255)
    thread = forms.CharField(required=False, max_length=255)
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Comma-separated; all must match."
    )
    date_from = forms.DateField(required=False, label="Saved from", widget=IsoDateInput())
    date_to = forms.DateField(required=False, label="Saved until", widget=IsoDateInput())
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def clean_date_from(self):
        return self._in_range("date_from")

    def clean_date_to(self):
        return self._in_range("date_to")

    def _in_range(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and value < EARLIEST:
            raise forms.ValidationError(f"Enter a date from {EARLIEST:%Y-%m-%d} on.")
        return value

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.split(",") if t.strip()]


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=1, max_value=MAX_ID)
    b = forms.IntegerField(min_value=1, max_value=MAX_ID)


class DetachedContentForm(forms.Form):
    content = forms.FileField(
        label="Signed content",
        help_text="The file this detached signature was made over; checked now, not stored.",
    )

    def clean_content(self):
        upload = self.cleaned_data["content"]
        if upload.size > MAX_CONTENT_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_CONTENT_BYTES // (1024 * 1024)} MB."
            )
        return upload
