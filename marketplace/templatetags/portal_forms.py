"""Render Django form fields with Bootstrap classes (no inline styles, CSP-safe)."""

from django import forms, template

register = template.Library()


@register.filter
def bootstrap_widget(field: forms.BoundField, extra: str = "") -> str:
    """The field's widget with Bootstrap's class for its kind, and is-invalid on errors."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        # Each option is rendered by the template; the widget takes the class.
        return field.as_widget(attrs={"class": "form-check-input"})
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    if extra:
        css += f" {extra}"
    attrs: dict[str, str | bool] = {"class": css}
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def button_class(tags: list[str] | None) -> str:
    """Bootstrap button classes for allauth's element tags."""
    names = set(tags or [])
    if "link" in names:
        return "btn btn-link"
    if names & {"danger", "delete"}:
        colour = "danger"
    elif names & {"secondary", "minor", "cancel"}:
        colour = "secondary"
    else:
        colour = "primary"
    outline = "outline-" if "outline" in names else ""
    size = " btn-sm" if names & {"tool", "minor"} else ""
    return f"btn btn-{outline}{colour}{size}"


@register.filter
def is_multiple_choice(field: forms.BoundField) -> bool:
    # Radio buttons render the same way: one checkable input per choice.
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect)
