"""The talent roster (/roster/) and an actor's page on it (/roster/<slug>/).

Signed-in creators with a verified email only. The search itself lives in
``creators.roster``; these views validate the GET parameters, call it once and
render. htmx requests for the results get only the results partial.
"""

from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from actors.models import Gender, RedLines, SpokenLanguage
from actors.selectors import listed_actors, viewable_photos
from creators.models import Project
from creators.roster import SORT_FEE, SORT_NEWEST, SORT_RELEVANCE, RosterParams, roster_search, shortlisted_actor_ids
from creators.selectors import OPEN_PROJECT_STATUSES, projects_for_user, projects_with_shortlist_flag, roster_refusal
from marketplace.categories import ContentCategory
from marketplace.forms import has_control_characters
from marketplace.http import get_in_scope_or_404, portal_state
from marketplace.money import Currency
from marketplace.places import Country

RESULTS_TARGET = "roster-results"
CHOICE_FIELDS = ("language", "gender", "country", "category", "currency", "sort")
_CHOICE_TAGS: dict[tuple[str, str], list[tuple[str, str, str]]] = {}


def _choice_tags(name: str, choices) -> list[tuple[str, str, str]]:
    """(raw value, escaped value, escaped label) of each choice, per language."""
    key = (name, get_language() or "")
    if key not in _CHOICE_TAGS:
        _CHOICE_TAGS[key] = [(str(value), escape(value), escape(label)) for value, label in choices]
    return _CHOICE_TAGS[key]


def _any(label) -> list[tuple[str, str]]:
    return [("", label)]


class RosterFilterForm(forms.Form):
    """The roster's GET parameters. Every field is optional: empty means any."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False, strip=True)
    language = forms.ChoiceField(label=_("Language"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    age_min = forms.IntegerField(label=_("Playing age from"), min_value=0, max_value=100, required=False)
    age_max = forms.IntegerField(label=_("Playing age to"), min_value=0, max_value=100, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    city = forms.CharField(label=_("City or region"), max_length=80, required=False, strip=True)
    skill = forms.CharField(label=_("Skill"), max_length=80, required=False, strip=True)
    category = forms.ChoiceField(
        label=_("Accepts this category"),
        required=False,
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
        self.fields["language"].choices = _any(_("Any language")) + list(SpokenLanguage.choices)
        self.fields["gender"].choices = _any(_("Any gender")) + list(Gender.choices)
        self.fields["country"].choices = _any(_("Any country")) + list(Country.choices)
        self.fields["category"].choices = _any(_("Any category")) + list(ContentCategory.choices)
        self.fields["q"].widget.input_type = "search"

    @cached_property
    def options(self) -> dict[str, str]:
        """The <option> tags of each list, the current value selected.

        Written here, not by widget templates: those cost more than the rest
        of the roster page together. The escaped labels are kept per language.
        """
        built = {}
        for name in CHOICE_FIELDS:
            current = str(self[name].value() or "")
            built[name] = mark_safe(  # noqa: S308 - values and labels escaped in _choice_tags
                "".join(
                    f'<option value="{value}"{" selected" if raw == current else ""}>{label}</option>'
                    for raw, value, label in _choice_tags(name, self.fields[name].choices)
                )
            )
        return built

    def clean(self):
        cleaned = super().clean()
        for name in ("q", "city", "skill"):
            if has_control_characters(cleaned.get(name) or ""):
                self.add_error(name, _("Remove the invisible or control characters."))
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


def creator_roster_access(view):
    """Signed-in creators with a verified email address.

    Anonymous visitors go to sign in; anyone else is told why they cannot
    browse (403, audited by the middleware).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        reason = roster_refusal(request.user, is_creator=portal_state(request)["is_creator"])
        if reason:
            return render(request, "creators/roster_denied.html", {"reason": reason}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _open_projects(request: HttpRequest) -> list[Project]:
    return list(projects_for_user(request.user).filter(status__in=OPEN_PROJECT_STATUSES).order_by("title", "id"))


def _chosen(projects: list[Project], raw: str | None) -> Project | None:
    """The project named by ``raw``, if it is one of ``projects``; otherwise
    none (a link shared by another creator simply shows no shortlist)."""
    return next((project for project in projects if str(project.pk) == (raw or "").strip()), None)


def _query(request: HttpRequest, **changes) -> str:
    """The current query string without empty values, with ``changes``."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value != ""]
        if kept and key not in changes:
            query.setlist(key, kept)
    for key, value in changes.items():
        if value:
            query[key] = value
    return query.urlencode()


@require_safe
@creator_roster_access
def roster(request: HttpRequest) -> HttpResponse:
    form = RosterFilterForm(request.GET)
    projects = _open_projects(request)
    project = _chosen(projects, request.GET.get("project"))
    page = None
    context = {"form": form, "projects": projects, "project": project, "results_target": RESULTS_TARGET}
    if form.is_valid():
        page = roster_search(params=form.params(), cursor=request.GET.get("cursor") or None)
        if project is not None:
            on_shortlist = shortlisted_actor_ids(project=project, actor_ids=[actor.pk for actor in page.actors])
            for actor in page.actors:
                actor.shortlisted = actor.pk in on_shortlist
        path = request.path
        if page.next_cursor:
            context["next_url"] = f"{path}?{_query(request, cursor=page.next_cursor)}"
        if page.previous_cursor:
            context["previous_url"] = f"{path}?{_query(request, cursor=page.previous_cursor)}"
    context["page"] = page
    context["project_query"] = urlencode({"project": project.pk}) if project else ""

    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        # htmx does not swap 4xx answers; the partial shows the errors instead.
        response = render(request, "creators/_roster_results.html", context)
    else:
        response = render(request, "creators/roster.html", context, status=200 if form.is_valid() else 400)
    # The same URL answers with a partial or a page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_safe
@creator_roster_access
def roster_actor(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_in_scope_or_404(request, listed_actors(), slug=slug)
    red_lines = RedLines.objects.filter(actor=actor).first()
    photos = viewable_photos(actor)
    projects = list(projects_with_shortlist_flag(request.user, actor))
    context = {
        "actor": actor,
        "red_lines": red_lines,
        "photos": photos,
        "projects": projects,
        "chosen_project": _chosen(projects, request.GET.get("project")),
    }
    return render(request, "creators/actor_page.html", context)
