"""Query-string forms of the viewer: bad input becomes a form error, never a 500."""

from __future__ import annotations

from django import forms


class SignatureFilterForm(forms.Form):
    document = forms.CharField(required=False, max_length=255)
    thread = forms.CharField(required=False, max_length=255)
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Comma-separated; all must match."
    )
    date_from = forms.DateField(
        required=False, label="Saved from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Saved until", widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.split(",") if t.strip()]


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=1)
    b = forms.IntegerField(min_value=1)
