"""Query-string forms: bad input becomes a form error, never a 500."""

from django import forms

from signhub.core.models import provider_choices
from signhub.core.status import DocumentStatus

PAGE_SIZES = (25, 50, 100)


class DocumentFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    provider = forms.MultipleChoiceField(required=False, choices=provider_choices)
    status = forms.MultipleChoiceField(required=False, choices=DocumentStatus.choices)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)
    per_page = forms.TypedChoiceField(
        required=False, coerce=int, choices=[(n, n) for n in PAGE_SIZES], empty_value=25
    )
