"""Bidi overrides and zero-width characters in the actor's free text: the
profile form refuses them in every text field (headline, city, skills and
the rest), so they never reach the roster; the roster's filters (page and
API) refuse them too; what was saved before is cleaned by a migration."""

import importlib

import pytest
from django.urls import reverse

from actors.models import ActorProfile
from actors.tests.factories import ActorProfileFactory, list_on_roster
from actors.tests.test_views import PROFILE, profile_data, profile_snapshot

pytestmark = pytest.mark.django_db

REFUSED = "The text contains invisible or control characters. Type it again without them."
CHARACTERS = {
    "right-to-left override": "\u202e",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
}
TEXT_FIELDS = {
    "headline": "Martial arts {} and period drama",
    "city": "Bei{}jing",
    "skills": "martial arts, horse{} riding",
    "union_membership": "CFA{}",
    "legal_name": "林{}晓雨",
    "bio": "Trained {}at the Beijing Film Academy.",
}


@pytest.mark.parametrize("character", CHARACTERS.values(), ids=CHARACTERS.keys())
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_profile_refuses_invisible_characters_in_every_text_field(login, actor, field, character):
    before = profile_snapshot(actor)
    response = login(actor).post(PROFILE, profile_data(**{field: TEXT_FIELDS[field].format(character)}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [REFUSED]
    assert profile_snapshot(actor) == before


def test_refused_headline_never_reaches_the_roster(login, actor, creator):
    list_on_roster(actor.actor_profile)
    login(actor).post(PROFILE, profile_data(headline="Period \u202eamard"))
    page = login(creator).get(reverse("roster")).content.decode()
    assert "Lin Xiaoyu" in page
    assert "\u202e" not in page


@pytest.mark.parametrize("character", CHARACTERS.values(), ids=CHARACTERS.keys())
@pytest.mark.parametrize("parameter", ["q", "city", "skill"])
def test_roster_filters_refuse_invisible_characters(login, api_as, creator, parameter, character):
    ActorProfileFactory(listed=True)
    query = {parameter: f"Bei{character}jing"}
    page = login(creator).get(reverse("roster"), query)
    assert page.status_code == 400
    response = api_as(creator).get("/api/v1/actors/", query)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_migration_cleans_what_was_saved_before(actor):
    ActorProfile.objects.filter(user=actor).update(
        headline="Period \u202eamard", city="Bei\u200bjing", skills="kung\ufefffu, horse\u200d riding"
    )
    migration = importlib.import_module("actors.migrations.0007_free_text_without_invisible_characters")
    migration.clean_profiles(_CurrentApps(), None)
    profile = ActorProfile.objects.get(user=actor)
    assert (profile.headline, profile.city, profile.skills) == ("Period amard", "Beijing", "kungfu, horse riding")


class _CurrentApps:
    """The ``apps`` a RunPython function receives, with today's models."""

    @staticmethod
    def get_model(app_label: str, model_name: str):
        from django.apps import apps

        return apps.get_model(app_label, model_name)
