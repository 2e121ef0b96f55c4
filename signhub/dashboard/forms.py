"""The list's query-string form: bad input becomes a form error or is clamped, never a 500.

Each field says what it accepts (validators and small field classes), including its value
when not given. `filter_data()` takes a field that failed validation as not given, so one
bad date does not throw away the other filters; the errors are shown above the results.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)

from signhub.core.models import provider_choices
from signhub.core.status import DocumentStatus
from signhub.core.widgets import IsoDateInput

from .dates import PRESETS
from .paging import Cursor, InvalidCursor
from .sorting import SORT_CHOICES
from .widget_html import RENDERER

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
MIN_DATE, MAX_DATE = date(1970, 1, 1), date(2200, 12, 31)
MAX_LABELS = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The date control's axes → the column each filters: completed (signed), created, and
# finished otherwise (declined / cancelled / expired / failed).
DATE_AXES = {"completed": "completed_at", "created": "created_at", "finished": "ended_at"}

VIEW_CHOICES = [("", "All documents"), ("attention", "Needs attention")]


class DayField(forms.DateField):
    """A calendar day within the range the index can hold."""

    widget = IsoDateInput
    default_validators = [
        MinValueValidator(MIN_DATE, f"Pick a date between {MIN_DATE:%Y} and {MAX_DATE:%Y}."),
        MaxValueValidator(MAX_DATE, f"Pick a date between {MIN_DATE:%Y} and {MAX_DATE:%Y}."),
    ]


class EmailLikeField(forms.CharField):
    """Trimmed and lower-cased: party emails are stored lower-cased."""

    def to_python(self, value) -> str:
        return super().to_python(value).lower()


class SearchField(forms.CharField):
    """Control characters never help a search and upset some databases (NUL on PostgreSQL)."""

    def to_python(self, value) -> str:
        return _CONTROL.sub("", super().to_python(value)).strip()


class ParsedField(forms.CharField):
    """Text parsed into a value: the text checks (length, no NUL) apply to the text as
    typed, before parsing."""

    def __init__(self, *, max_length: int, **kwargs) -> None:
        self.text_checks = [MaxLengthValidator(max_length), ProhibitNullCharactersValidator()]
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        for check in self.text_checks:
            check(text)
        return self.parse(text)

    def parse(self, text: str):
        raise NotImplementedError


class LabelsField(ParsedField):
    """Comma-separated exact labels → a list without blanks or repeats."""

    default_validators = [
        MaxLengthValidator(MAX_LABELS, f"Filter by at most {MAX_LABELS} labels."),
    ]

    def parse(self, text: str) -> list[str]:
        parts = (part.strip() for part in text.split(","))
        return list(dict.fromkeys(part for part in parts if part))


class PageSizeField(ParsedField):
    """Clamped to the offered sizes: ?per_page=100000 gives 100, not a slow page."""

    def parse(self, text: str) -> int:
        if not text:
            return DEFAULT_PAGE_SIZE
        try:
            wanted = int(text)
        except ValueError:
            raise forms.ValidationError("Page size must be 25, 50 or 100.") from None
        fitting = [size for size in PAGE_SIZES if size <= wanted]
        return fitting[-1] if fitting else PAGE_SIZES[0]


class SortField(forms.ChoiceField):
    """One of the declared sorts; not given = "" (the list picks the view's default)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=SORT_CHOICES, required=False, **kwargs)


class CursorField(ParsedField):
    """A page cursor (`after` / `before`) → `Cursor`, or None."""

    widget = forms.HiddenInput

    def parse(self, token: str) -> Cursor | None:
        if not token:
            return None
        try:
            return Cursor.decode(token)
        except InvalidCursor:
            raise forms.ValidationError(
                "That page link is no longer valid; showing the first page."
            ) from None


class DocumentFilterForm(forms.Form):
    default_renderer = RENDERER  # its widgets without templates (widget_html.py)
    q = SearchField(required=False, max_length=200, label="Search")
    provider = forms.MultipleChoiceField(required=False, choices=provider_choices)
    account = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    status = forms.MultipleChoiceField(required=False, choices=DocumentStatus.choices)
    completed = forms.ChoiceField(required=False, choices=PRESETS, label="Completed")
    completed_from = DayField(required=False, label="Completed from")
    completed_to = DayField(required=False, label="Completed to")
    created = forms.ChoiceField(required=False, choices=PRESETS, label="Created")
    created_from = DayField(required=False, label="Created from")
    created_to = DayField(required=False, label="Created to")
    # Ended without completing (declined / cancelled / expired / failed): `ended_at`.
    finished = forms.ChoiceField(required=False, choices=PRESETS, label="Finished")
    finished_from = DayField(required=False, label="Finished from")
    finished_to = DayField(required=False, label="Finished to")
    sender = EmailLikeField(required=False, max_length=255, label="Sender email")
    signer = EmailLikeField(required=False, max_length=255, label="Signer email")
    person = EmailLikeField(required=False, max_length=255, label="Employee email")
    label = LabelsField(required=False, max_length=200, label="Labels")
    removed = forms.BooleanField(required=False, label="Include removed")
    view = forms.ChoiceField(required=False, choices=VIEW_CHOICES)
    sort = SortField(label="Sort by")
    per_page = PageSizeField(required=False, max_length=12, label="Per page")
    after = CursorField(required=False, max_length=1400)
    before = CursorField(required=False, max_length=1400)

    def __init__(self, *args, accounts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only accounts the user may see are valid choices: an unknown id is a form error.
        self.fields["account"].choices = [(a.pk, a.name) for a in accounts]
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Title, id, name or email", "autocomplete": "off"}
        )

    def clean(self):
        data = super().clean()
        for axis in DATE_AXES:
            start, end = data.get(f"{axis}_from"), data.get(f"{axis}_to")
            if start and end and start > end:
                self.add_error(f"{axis}_to", "The end date is before the start date.")
        return data

    def filter_data(self) -> dict:
        """Every field's validated value; a field that failed counts as not given."""
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            if name in self.cleaned_data and name not in self.errors
            else field.clean(None)
            for name, field in self.fields.items()
        }
