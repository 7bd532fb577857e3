"""Forms of the creator side. They validate; services write."""

from django import forms
from django.core.validators import URLValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from creators.models import CreatorProfile, DistributionChannel, LikenessUsage, Project, Shot
from marketplace.forms import clean_display_name, clean_plain_text

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
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "display_name": _("Your name or your studio's, as actors see it."),
            "bio": _("Plain text. Tell actors who you are and what you make."),
        }

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])

    def clean_studio(self) -> str:
        return clean_plain_text(self.cleaned_data["studio"])

    def clean_legal_name(self) -> str:
        return clean_plain_text(self.cleaned_data["legal_name"])

    def clean_bio(self) -> str:
        return clean_plain_text(self.cleaned_data["bio"])


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
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {
            "logline": _("One or two sentences actors read before anything else."),
            "ai_tools": _("The models and tools that will render the likeness, e.g. “Kling 2, ElevenLabs”."),
        }

    def clean_title(self) -> str:
        return clean_plain_text(self.cleaned_data["title"])

    def clean_logline(self) -> str:
        return clean_plain_text(self.cleaned_data["logline"])

    def clean_ai_tools(self) -> str:
        return clean_plain_text(self.cleaned_data["ai_tools"])

    def clean(self) -> dict:
        cleaned = super().clean()
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

    def clean_description(self) -> str:
        return clean_plain_text(self.cleaned_data["description"])


class ShotMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Move up")), ("down", _("Move down"))])
