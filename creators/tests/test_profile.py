"""The creator profile (edited by its creator) and the creator page (read by actors)."""

import pytest
from django.utils import timezone

from creators.models import ContactPreference, CreatorProfile, Project
from creators.tests.factories import CreatorProfileFactory, ProjectFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROFILE = {
    "display_name": "  Lumen   Pictures ",
    "studio": "Lumen Pictures Ltd.",
    "website": "https://lumen.example/",
    "bio": "We make short AI films.\nEvery likeness is licensed.",
    "country": "SG",
    "contact_preference": "email",
}


# --- Editing the profile -----------------------------------------------------------


def test_creator_sees_the_profile_form_with_their_details(login, creator):
    response = login(creator).get("/creators/me/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Lumen Pictures"' in page
    assert 'name="contact_preference"' in page


def test_creator_saves_every_profile_field(login, creator):
    response = login(creator).post("/creators/me/", PROFILE)
    assert response.status_code == 302
    assert response.url == "/creators/me/"
    profile = CreatorProfile.objects.get(user=creator)
    assert profile.display_name == "Lumen Pictures"
    assert profile.studio == "Lumen Pictures Ltd."
    assert profile.website == "https://lumen.example/"
    assert profile.bio == "We make short AI films.\nEvery likeness is licensed."
    assert profile.country == "SG"
    assert profile.contact_preference == ContactPreference.EMAIL


@pytest.mark.parametrize("name", ["Lumen\u202ePictures", "Lumen\u200bPictures", "Lumen\x07", "L"])
def test_profile_name_with_control_or_bidi_characters_or_too_short_is_refused(login, creator, name):
    response = login(creator).post("/creators/me/", {**PROFILE, "display_name": name})
    assert response.status_code == 400
    assert 'id="id_display_name_help"' in response.content.decode()
    assert CreatorProfile.objects.get(user=creator).display_name == "Lumen Pictures"
    assert CreatorProfile.objects.get(user=creator).studio == ""


def test_profile_name_with_bidi_override_says_why(login, creator):
    response = login(creator).post("/creators/me/", {**PROFILE, "display_name": "Lumen\u202ePictures"})
    assert "The name contains invisible or control characters." in response.content.decode()


def test_profile_bio_with_bidi_override_is_refused(login, creator):
    response = login(creator).post("/creators/me/", {**PROFILE, "bio": "Trust us \u202egnihtyreve"})
    assert response.status_code == 400
    assert CreatorProfile.objects.get(user=creator).bio == ""


@pytest.mark.parametrize("website", ["javascript:alert(1)", "ftp://lumen.example/", "not a url"])
def test_profile_website_must_be_a_web_address(login, creator, website):
    response = login(creator).post("/creators/me/", {**PROFILE, "website": website})
    assert response.status_code == 400
    assert CreatorProfile.objects.get(user=creator).website == ""


def test_actor_without_creator_profile_is_forbidden_from_the_profile_form(login, actor):
    assert login(actor).get("/creators/me/").status_code == 403
    assert login(actor).post("/creators/me/", PROFILE).status_code == 403
    assert not CreatorProfile.objects.filter(user=actor).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login_from_the_profile_form(anonymous, method):
    response = getattr(anonymous, method)("/creators/me/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/creators/me/"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_profile_form_answers_405_to_other_methods(login, creator, method):
    assert getattr(login(creator), method)("/creators/me/").status_code == 405


# --- The creator page --------------------------------------------------------------


@pytest.fixture
def studio(creator) -> CreatorProfile:
    profile = creator.creator_profile
    profile.studio = "Lumen Pictures Ltd."
    profile.website = "https://lumen.example/"
    profile.bio = "We make short films.\n\n<script>alert(1)</script>"
    profile.country = "SG"
    profile.save()
    ProjectFactory.create_batch(2, creator=profile, status=Project.Status.ACTIVE)
    ProjectFactory(creator=profile, status=Project.Status.DRAFT)
    ProjectFactory(creator=profile, status=Project.Status.COMPLETED)
    return profile


def test_actor_sees_who_is_asking_on_the_creator_page(login, actor, studio):
    response = login(actor).get(f"/creators/{studio.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lumen Pictures" in page
    assert "Lumen Pictures Ltd." in page
    assert '<a href="https://lumen.example/" rel="nofollow noopener">' in page
    assert "Singapore" in page
    assert f'datetime="{timezone.localdate(studio.created_at):%Y-%m-%d}"' in page
    assert '<dd class="col-sm-8" data-testid="active-projects">2</dd>' in page
    assert "Edit your profile" not in page


def test_creator_page_shows_bio_as_escaped_paragraphs(login, actor, studio):
    page = login(actor).get(f"/creators/{studio.pk}/").content.decode()
    assert "<p>We make short films.</p>" in page
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert "<script>alert(1)" not in page


def test_creator_page_hides_a_website_that_is_not_a_web_address(login, actor, creator):
    profile = creator.creator_profile
    profile.website = "javascript:alert(1)"  # written around the form, e.g. by an old import
    profile.save()
    page = login(actor).get(f"/creators/{profile.pk}/").content.decode()
    assert "javascript:" not in page


def test_creator_sees_a_link_to_edit_their_own_page(login, creator):
    page = login(creator).get(f"/creators/{creator.creator_profile.pk}/").content.decode()
    assert 'href="/creators/me/"' in page


def test_creator_page_of_a_suspended_creator_is_404(login, actor):
    profile = CreatorProfileFactory(user__suspended_at=timezone.now())
    assert login(actor).get(f"/creators/{profile.pk}/").status_code == 404


def test_unknown_creator_page_is_404(login, actor):
    assert login(actor).get("/creators/999999/").status_code == 404


def test_anonymous_is_sent_to_login_from_the_creator_page(anonymous, creator):
    path = f"/creators/{creator.creator_profile.pk}/"
    response = anonymous.get(path)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={path}"


def test_creator_page_answers_405_to_post(login, actor, creator):
    assert login(actor).post(f"/creators/{creator.creator_profile.pk}/").status_code == 405
