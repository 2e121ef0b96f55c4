"""The filter form's widgets written in Python, with the markup Django's templates give.

Why: the list renders 15 widgets (search, emails, three date presets with their ranges)
on every page. Django renders each through its widget templates (input, attrs, select,
one include per option): ~21,000 Python calls, a third of the whole list request. The
same markup in Python is ~40x fewer calls. Only the four templates below are written
here; any other widget (or a value the templates would localize) goes to Django's own.
`tests/dashboard/test_widget_html.py` compares both renderers widget by widget.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

from .markup import escaped  # `{{ value }}`: autoescaped, safe strings kept

_INPUTS = {
    "django/forms/widgets/text.html",
    "django/forms/widgets/date.html",
    "django/forms/widgets/checkbox.html",
    "django/forms/widgets/input.html",
}
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: `value|stringformat:'s'` is `escaped` for these."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _plain(value) -> bool:
    """Strings: printed as they are (a number or a date would be localized)."""
    return value is None or isinstance(value, str | Promise)


class WidgetRenderer(DjangoTemplates):
    """Django's template renderer, with the common widgets done without a template."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name in _INPUTS and self._simple(widget):
            value = widget["value"]
            shown = "" if value is None else f' value="{escaped(value)}"'
            return mark_safe(
                f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"'
                f"{shown}{_attrs(widget['attrs'])}>"
            )
        if template_name == _SELECT and widget and self._options_simple(widget):
            parts = [f'<select name="{escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
            for group_name, group_choices, _index in widget["optgroups"]:
                if group_name:
                    parts.append(f'\n  <optgroup label="{escaped(group_name)}">')
                for option in group_choices:
                    parts.append(
                        f'\n  <option value="{escaped(option["value"])}"{_attrs(option["attrs"])}>'
                        f"{escaped(option['label'])}</option>\n"
                    )
                if group_name:
                    parts.append("\n  </optgroup>")
            parts.append("\n</select>")
            return mark_safe("".join(parts))
        return super().render(template_name, context, request)

    @staticmethod
    def _simple(widget) -> bool:
        return bool(widget) and all(_plain(widget.get(key)) for key in ("type", "name", "value"))

    @staticmethod
    def _options_simple(widget) -> bool:
        return _plain(widget["name"]) and all(
            (not group_name or _plain(group_name))
            and all(
                option.get("template_name") == _OPTION
                and isinstance(option["value"], str | int)
                and not isinstance(option["value"], bool)
                and _plain(option["label"])
                for option in choices
            )
            for group_name, choices, _index in widget["optgroups"]
        )


RENDERER = WidgetRenderer()  # one engine for the fallback templates
