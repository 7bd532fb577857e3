"""Forms of the creator side. They validate; services write."""

from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from actors.models import Gender, SpokenLanguage
from creators.models import CreatorProfile, DistributionChannel, LikenessUsage, Project, Shot
from creators.selectors.roster import SORT_FEE, SORT_NEWEST, SORT_RELEVANCE, RosterParams
from marketplace.categories import ContentCategory
from marketplace.forms import DisplayNameField, PlainTextField, plain_text_formfield
from marketplace.money import Currency
from marketplace.places import Country

CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class CreatorProfileForm(forms.ModelForm):
    website = forms.URLField(
        label=capfirst(CreatorProfile._meta.get_field("website").verbose_name),
        max_length=200,
        required=False,
        assume_scheme="https",
        # Only web addresses: the link is shown to actors.
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Starts with https:// or http://"),
    )

    class Meta:
        model = CreatorProfile
        fields = ["display_name", "studio", "legal_name", "website", "bio", "country", "contact_preference"]
        # Text columns through the one cleaner of free text; the name
        # through the one for names.
        formfield_callback = plain_text_formfield
        field_classes = {"display_name": DisplayNameField}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "display_name": _("Your name or your studio's, as actors see it."),
            "bio": _("Plain text. Tell actors who you are and what you make."),
        }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    distribution_channels = forms.MultipleChoiceField(
        label=capfirst(Project._meta.get_field("distribution_channels").verbose_name),
        choices=DistributionChannel.choices,
        widget=CHECKBOXES,
        required=False,
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "logline",
            "category",
            "distribution_channels",
            "territory",
            "ai_tools",
            "start_date",
            "end_date",
            "status",
        ]
        formfield_callback = plain_text_formfield
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {
            "logline": _("One or two sentences actors read before anything else."),
            "ai_tools": _("The models and tools that will render the likeness, e.g. “Kling 2, ElevenLabs”."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class ShotForm(forms.ModelForm):
    likeness_usage = forms.MultipleChoiceField(
        label=capfirst(Shot._meta.get_field("likeness_usage").verbose_name),
        choices=LikenessUsage.choices,
        widget=CHECKBOXES,
        error_messages={"required": _("Choose at least one: face, full body or voice.")},
    )

    class Meta:
        model = Shot
        fields = ["number", "description", "category", "likeness_usage", "duration_seconds"]
        formfield_callback = plain_text_formfield
        widgets = {"description": forms.TextInput()}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["duration_seconds"].widget.attrs.update({"min": 1, "max": 36000})
        self.fields["number"].widget.attrs["min"] = 1

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        taken = Shot.objects.filter(project=self.project, number=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Shot %(number)s already exists in this project. Choose another number."),
                params={"number": number},
            )
        return number


class ShotMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Move up")), ("down", _("Move down"))])


# --- The roster's filters (page and API) ------------------------------------

RESULTS_TARGET = "roster-results"
CHOICE_FIELDS = ("language", "gender", "country", "category", "currency", "sort")
_CHOICE_TAGS: dict[tuple[str, str], list[tuple[str, str, str]]] = {}


def _choice_tags(name: str, choices) -> list[tuple[str, str, str]]:
    """(raw value, escaped value, escaped label) of each choice, per language."""
    key = (name, get_language() or "")
    if key not in _CHOICE_TAGS:
        _CHOICE_TAGS[key] = [(str(value), escape(value), escape(label)) for value, label in choices]
    return _CHOICE_TAGS[key]


def _any(label) -> list[tuple[str, Any]]:
    return [("", label)]


def _any_language() -> list[tuple[str, Any]]:
    return _any(_("Any language")) + list(SpokenLanguage.choices)


def _any_gender() -> list[tuple[str, Any]]:
    return _any(_("Any gender")) + list(Gender.choices)


def _any_country() -> list[tuple[str, Any]]:
    return _any(_("Any country")) + list(Country.choices)


def _any_category() -> list[tuple[str, Any]]:
    return _any(_("Any category")) + list(ContentCategory.choices)


class RosterFilterForm(forms.Form):
    """The roster's GET parameters. Every field is optional: empty means any."""

    q = PlainTextField(label=_("Search"), max_length=100, required=False)
    # Callable choices: each form's copy of its fields copies the function,
    # not 250 countries; they are listed only when a value is checked.
    language = forms.ChoiceField(label=_("Language"), required=False, choices=_any_language)
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=_any_gender)
    age_min = forms.IntegerField(label=_("Playing age from"), min_value=0, max_value=100, required=False)
    age_max = forms.IntegerField(label=_("Playing age to"), min_value=0, max_value=100, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_any_country)
    city = PlainTextField(label=_("City or region"), max_length=80, required=False)
    skill = PlainTextField(label=_("Skill"), max_length=80, required=False)
    category = forms.ChoiceField(
        label=_("Accepts this category"),
        required=False,
        choices=_any_category,
        help_text=_("Hide actors who excluded it in their red lines."),
    )
    fee_max = forms.DecimalField(label=_("Maximum fee"), min_value=0, max_digits=12, decimal_places=2, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, required=False)
    ai_training = forms.BooleanField(label=_("May be asked for AI training"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (SORT_RELEVANCE, _("Best match")),
            (SORT_NEWEST, _("Newest")),
            (SORT_FEE, _("Fee, lowest first")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"

    def _choice_field(self, name: str) -> forms.ChoiceField:
        # self.fields is typed as plain Fields; these are declared ChoiceFields.
        return cast(forms.ChoiceField, self.fields[name])

    @cached_property
    def options(self) -> dict[str, str]:
        """The <option> tags of each list, the current value selected.

        Written here, not by widget templates: those cost more than the rest
        of the roster page together. The escaped labels are kept per
        language; roster.html keeps the whole filter panel per process.
        """
        built: dict[str, str] = {}
        for name in CHOICE_FIELDS:
            current = str(self[name].value() or "")
            built[name] = mark_safe(  # noqa: S308 - values and labels escaped in _choice_tags
                "".join(
                    f'<option value="{value}"{" selected" if raw == current else ""}>{label}</option>'
                    for raw, value, label in _choice_tags(name, self._choice_field(name).choices)
                )
            )
        return built

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high = cleaned.get("age_min"), cleaned.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("The upper age must not be below the lower one."))
        return cleaned

    def params(self) -> RosterParams:
        data = self.cleaned_data
        return RosterParams(
            q=data["q"],
            language=data["language"],
            gender=data["gender"],
            age_min=data["age_min"],
            age_max=data["age_max"],
            country=data["country"],
            city=data["city"],
            skill=data["skill"],
            category=data["category"],
            fee_max=data["fee_max"],
            currency=data["currency"] or Currency.CNY.value,
            ai_training=data["ai_training"],
            sort=data["sort"] or SORT_RELEVANCE,
        )
