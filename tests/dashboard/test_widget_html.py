"""The filter form's widgets in Python give exactly the markup of Django's widget templates."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from signhub.dashboard.forms import DocumentFilterForm
from signhub.dashboard.widget_html import RENDERER, WidgetRenderer

EVIL = '"><script>alert(1)</script>&amp;'
DATA = [
    "",
    "q=offer&person=Ann@Example.com&completed=this_month&created=custom&created_from=2026-01-02"
    "&created_to=2026-01-31&finished=last_week&sender=x@y.z&signer=a@b.c&label=hr,payroll"
    "&removed=on",
    "completed=bogus&completed_from=2026-13-45&created_to=" + EVIL + "&q=" + EVIL,
    "label=" + EVIL + "&sender=" + EVIL + "&removed=" + EVIL + "&finished_from=" + EVIL,
]


def rendered(form: forms.Form) -> dict[str, str]:
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("query", DATA)
def test_every_widget_matches_djangos_templates(query):
    fast = DocumentFilterForm(QueryDict(query))
    slow = DocumentFilterForm(QueryDict(query), renderer=DjangoTemplates())
    assert fast.renderer is RENDERER
    fast.is_valid(), slow.is_valid()
    assert rendered(fast) == rendered(slow)


def test_selects_optgroups_and_odd_values_match_too():
    class Odd(forms.Form):
        plain = forms.ChoiceField(choices=[("a", "A & B"), (1, "one")])
        grouped = forms.ChoiceField(choices=[("G <1>", [("x", "X")]), ("y", "Y")])
        many = forms.MultipleChoiceField(choices=[("p", "P"), ("q", "Q")])
        number = forms.IntegerField()  # a number input: value localized by Django only
        flag = forms.BooleanField(widget=forms.CheckboxInput(attrs={"data-x": EVIL}))
        hidden = forms.CharField(widget=forms.HiddenInput)

    data = QueryDict(f"plain=1&grouped=x&many=p&many=q&number=1234567&flag=on&hidden={EVIL}")
    for bound in (Odd(data), Odd(initial={"number": 1234567})):
        fast = Odd(bound.data or None, initial=bound.initial, renderer=WidgetRenderer())
        slow = Odd(bound.data or None, initial=bound.initial, renderer=DjangoTemplates())
        assert rendered(fast) == rendered(slow)
