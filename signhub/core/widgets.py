"""Form widgets shared by the dashboard and the signature viewer."""

from __future__ import annotations

from django import forms


class IsoDateInput(forms.DateInput):
    """A date typed as YYYY-MM-DD, the way every date on the page is printed.

    A native `type=date` input shows the browser locale's order (mm/dd/yyyy in en-US) beside
    ISO dates in the table; a text input with a pattern keeps one format everywhere.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "placeholder": "YYYY-MM-DD",
            "pattern": r"\d{4}-\d{2}-\d{2}",
            "inputmode": "numeric",
            "autocomplete": "off",
            "size": "10",
            "maxlength": "10",
            "title": "A date as YYYY-MM-DD, e.g. 2026-03-31",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d")
