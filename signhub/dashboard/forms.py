"""Query-string forms: bad input becomes a form error or is clamped, never a 500.

The list view uses whatever fields validated (`usable_data`), so one bad date does not
throw away the other filters; the errors are shown above the results.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from signhub.core.models import provider_choices
from signhub.core.status import DocumentStatus
from signhub.core.widgets import IsoDateInput

from .dates import PRESETS
from .paging import Cursor, InvalidCursor

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25
MIN_DATE, MAX_DATE = date(1970, 1, 1), date(2200, 12, 31)

# Sort keys shown to users → (model field or key expression name, human label).
SORT_FIELDS = {
    "completed": "Completed",
    "created": "Created",
    "activity": "Last activity",
    "title": "Title",
    "status": "Status",
}
SORT_CHOICES = [
    (f"{sign}{key}", f"{label} {arrow}")
    for key, label in SORT_FIELDS.items()
    for sign, arrow in (("-", "↓"), ("", "↑"))
]
DEFAULT_SORT = "-completed"

# The date control's axes → the column each filters: completed (signed), created, and
# finished otherwise (declined / cancelled / expired / failed).
DATE_AXES = {"completed": "completed_at", "created": "created_at", "finished": "ended_at"}
DATE_FIELDS = tuple(f"{axis}_{end}" for axis in DATE_AXES for end in ("from", "to"))

VIEW_CHOICES = [("", "All documents"), ("attention", "Needs attention")]


def _clean_email_like(value: str) -> str:
    """Lower-cased, trimmed; party emails are stored lower-cased."""
    return value.strip().lower()


class DocumentFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    provider = forms.MultipleChoiceField(required=False, choices=provider_choices)
    account = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=())
    status = forms.MultipleChoiceField(required=False, choices=DocumentStatus.choices)
    completed = forms.ChoiceField(required=False, choices=PRESETS, label="Completed")
    completed_from = forms.DateField(required=False, label="Completed from")
    completed_to = forms.DateField(required=False, label="Completed to")
    created = forms.ChoiceField(required=False, choices=PRESETS, label="Created")
    created_from = forms.DateField(required=False, label="Created from")
    created_to = forms.DateField(required=False, label="Created to")
    # Ended without completing (declined / cancelled / expired / failed): `ended_at`.
    finished = forms.ChoiceField(required=False, choices=PRESETS, label="Finished")
    finished_from = forms.DateField(required=False, label="Finished from")
    finished_to = forms.DateField(required=False, label="Finished to")
    sender = forms.CharField(required=False, max_length=255, label="Sender email")
    signer = forms.CharField(required=False, max_length=255, label="Signer email")
    person = forms.CharField(required=False, max_length=255, label="Employee email")
    label = forms.CharField(required=False, max_length=200, label="Labels")
    removed = forms.BooleanField(required=False, label="Include removed")
    view = forms.ChoiceField(required=False, choices=VIEW_CHOICES)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label="Sort by")
    per_page = forms.CharField(required=False, max_length=12, label="Per page")
    after = forms.CharField(required=False, max_length=1400, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=1400, widget=forms.HiddenInput)

    def __init__(self, *args, accounts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only accounts the user may see are valid choices: an unknown id is a form error.
        self.fields["account"].choices = [(a.pk, a.name) for a in accounts]
        for name in DATE_FIELDS:
            self.fields[name].widget = IsoDateInput()
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Title, id, name or email", "autocomplete": "off"}
        )

    def _clean_date(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value and not (MIN_DATE <= value <= MAX_DATE):
            raise ValidationError(f"Pick a date between {MIN_DATE:%Y} and {MAX_DATE:%Y}.")
        return value

    def clean_completed_from(self):
        return self._clean_date("completed_from")

    def clean_completed_to(self):
        return self._clean_date("completed_to")

    def clean_created_from(self):
        return self._clean_date("created_from")

    def clean_created_to(self):
        return self._clean_date("created_to")

    def clean_finished_from(self):
        return self._clean_date("finished_from")

    def clean_finished_to(self):
        return self._clean_date("finished_to")

    def clean_q(self) -> str:
        # Control characters never help a search and upset some databases (NUL on PostgreSQL).
        return re.sub(r"[\x00-\x1f\x7f]", "", self.cleaned_data["q"]).strip()

    def clean_sender(self) -> str:
        return _clean_email_like(self.cleaned_data["sender"])

    def clean_signer(self) -> str:
        return _clean_email_like(self.cleaned_data["signer"])

    def clean_person(self) -> str:
        return _clean_email_like(self.cleaned_data["person"])

    def clean_label(self) -> list[str]:
        raw = self.cleaned_data["label"]
        labels = [part.strip() for part in raw.split(",") if part.strip()]
        if len(labels) > 10:
            raise ValidationError("Filter by at most 10 labels.")
        return list(dict.fromkeys(labels))

    def clean_per_page(self) -> int:
        """Clamped to the offered sizes: ?per_page=100000 gives 100, not a slow page."""
        raw = self.cleaned_data["per_page"].strip()
        if not raw:
            return DEFAULT_PAGE_SIZE
        try:
            wanted = int(raw)
        except ValueError:
            raise ValidationError("Page size must be 25, 50 or 100.") from None
        fitting = [size for size in PAGE_SIZES if size <= wanted]
        return fitting[-1] if fitting else PAGE_SIZES[0]

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or DEFAULT_SORT

    def _clean_cursor(self, name: str) -> Cursor | None:
        token = self.cleaned_data.get(name)
        if not token:
            return None
        try:
            return Cursor.decode(token)
        except InvalidCursor:
            raise ValidationError(
                "That page link is no longer valid; showing the first page."
            ) from None

    def clean_after(self):
        return self._clean_cursor("after")

    def clean_before(self):
        return self._clean_cursor("before")

    def clean(self):
        data = super().clean()
        for axis in DATE_AXES:
            start, end = data.get(f"{axis}_from"), data.get(f"{axis}_to")
            if start and end and start > end:
                self.add_error(f"{axis}_to", "The end date is before the start date.")
        return data

    def usable_data(self) -> dict:
        """The validated values, with defaults for fields that failed validation."""
        self.is_valid()
        data = {
            "q": "",
            "provider": [],
            "account": [],
            "status": [],
            "completed": "",
            "completed_from": None,
            "completed_to": None,
            "created": "",
            "created_from": None,
            "created_to": None,
            "finished": "",
            "finished_from": None,
            "finished_to": None,
            "sender": "",
            "signer": "",
            "person": "",
            "label": [],
            "removed": False,
            "view": "",
            "sort": DEFAULT_SORT,
            "per_page": DEFAULT_PAGE_SIZE,
            "after": None,
            "before": None,
        }
        cleaned = getattr(self, "cleaned_data", {})
        data.update({k: v for k, v in cleaned.items() if k not in self.errors})
        # Needs-attention documents are mostly undated (declined, expired...): newest
        # activity first is the useful order there, and walks an index that finds them.
        if data["view"] == "attention" and not self.data.get("sort"):
            data["sort"] = "-activity"
        # A cursor belongs to one sort order; a mismatched one (edited URL) starts over.
        for name in ("after", "before"):
            cursor = data[name]
            if cursor is not None and not cursor.at_end and cursor.sort != data["sort"]:
                data[name] = None
        if data["after"] and data["before"]:
            data["before"] = None
        return data


class EmployeeForm(forms.Form):
    """The employee view's lookup box (a GET form feeding `?person=`)."""

    person = forms.CharField(max_length=255, label="Employee email")
