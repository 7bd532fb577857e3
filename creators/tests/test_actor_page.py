"""An actor's page on the roster (/roster/<slug>/)."""

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import ActorProfile, LikenessPhoto, RedLines, VerificationStatus
from actors.services import actor_listing_refresh, actor_opt_out
from actors.tests.factories import ActorProfileFactory, photo_for
from creators.models import Project, ShortlistEntry
from marketplace.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def star(db) -> ActorProfile:
    actor = ActorProfileFactory(
        listed=True,
        slug="star-lin",
        stage_name="林晓雨",
        headline="Stunt performer",
        bio="Trained in Beijing.\n\n<script>alert(1)</script>",
        languages=["zh", "en"],
        skills="武术, horse riding",
        playing_age_min=22,
        playing_age_max=30,
        city="Beijing",
        country="CN",
        min_fee="8000",
        fee_currency="CNY",
        max_term_months=24,
    )
    RedLines.objects.filter(actor=actor).update(excluded_categories=["adult", "gambling"], ai_training_allowed=False)
    return actor


def page_of(client, actor: ActorProfile, **params):
    return client.get(f"/roster/{actor.slug}/", params)


def project_of(user, title: str, status: str = Project.Status.ACTIVE) -> Project:
    return Project.objects.create(creator=user.creator_profile, title=title, category="film", status=status)


# --- Access ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(anonymous, star):
    response = anonymous.get("/roster/star-lin/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/roster/star-lin/"


def test_actor_gets_403(login, actor, star):
    response = login(actor).get("/roster/star-lin/")
    assert response.status_code == 403
    assert "Only creators can browse the roster" in response.content.decode()


def test_creator_with_unverified_email_gets_403(login, creator, star):
    EmailAddress.objects.filter(user=creator).update(verified=False)
    assert login(creator).get("/roster/star-lin/").status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_is_405(login, creator, star, method):
    assert getattr(login(creator), method)("/roster/star-lin/").status_code == 405


def _unlisted(kind: str) -> ActorProfile:
    if kind == "never-opted-in":
        return ActorProfileFactory(slug=kind, verification_status=VerificationStatus.VERIFIED)
    if kind == "unverified":
        return ActorProfileFactory(slug=kind, opted_in=True, verification_status=VerificationStatus.PENDING)
    actor = ActorProfileFactory(listed=True, slug=kind)
    if kind == "opted-out":
        actor_opt_out(actor=actor)
    elif kind == "suspended":
        actor.user.suspended_at = timezone.now()
        actor.user.save()
        actor_listing_refresh(actor=actor)
    return actor


@pytest.mark.parametrize("kind", ["never-opted-in", "unverified", "opted-out", "suspended"])
def test_unlisted_actor_page_is_404_and_audited(login, creator, kind):
    actor = _unlisted(kind)
    response = login(creator).get(f"/roster/{actor.slug}/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="authz.denied", actor=creator).exists()


def test_unknown_slug_is_404(login, creator):
    assert login(creator).get("/roster/nobody/").status_code == 404


def test_actor_cannot_see_own_unlisted_page_through_the_roster(login, actor):
    from creators.tests.factories import CreatorProfileFactory

    CreatorProfileFactory(user=actor)
    assert login(actor).get("/roster/lin-xiaoyu/").status_code == 404


# --- What it shows -------------------------------------------------------------------------


def test_page_shows_profile_details(login, creator, star):
    response = page_of(login(creator), star)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "林晓雨",
        "Stunt performer",
        "<p>Trained in Beijing.</p>",
        "Mandarin, English",
        "武术, horse riding",
        "22 to 30",
        "Beijing, China (mainland)",
        "8,000 CNY",
        "Verified",
    ):
        assert text in page, text


def test_biography_is_escaped(login, creator, star):
    page = page_of(login(creator), star).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_page_shows_red_lines_summary(login, creator, star):
    page = page_of(login(creator), star).content.decode()
    assert "Adult, Gambling" in page
    assert "24 months" in page


def test_page_shows_watermarked_previews_of_cleared_photos_only(login, creator, star):
    shown = photo_for(star)
    flagged = photo_for(star)
    LikenessPhoto.objects.filter(pk=flagged.pk).update(review=LikenessPhoto.Review.FLAGGED)
    page = page_of(login(creator), star).content.decode()
    assert f'src="/actors/photos/{shown.pk}/preview/"' in page
    assert f"/actors/photos/{flagged.pk}/" not in page
    assert "/original/" not in page


def test_page_no_longer_says_requests_are_not_open(login, creator, star):
    page = page_of(login(creator), star).content.decode()
    assert "Requests open soon" not in page


# --- Shortlists and "request this actor" ------------------------------------------------


def test_without_projects_the_creator_is_offered_a_new_project(login, creator, star):
    page = page_of(login(creator), star).content.decode()
    assert 'href="/projects/new/"' in page
    assert "/shortlist/" not in page


def test_shortlist_toggle_for_each_open_project(login, creator, star):
    on = project_of(creator, "On it")
    off = project_of(creator, "Not yet", status=Project.Status.DRAFT)
    closed = project_of(creator, "Finished", status=Project.Status.COMPLETED)
    ShortlistEntry.objects.create(project=on, actor=star)
    page = page_of(login(creator), star).content.decode()
    assert f'action="/projects/{on.pk}/shortlist/{star.slug}/remove/"' in page
    assert f'action="/projects/{off.pk}/shortlist/{star.slug}/add/"' in page
    assert f"/projects/{closed.pk}/shortlist/" not in page


def test_request_form_lists_the_creators_projects_only(login, creator, other_creator, star):
    mine = project_of(creator, "Mine")
    project_of(other_creator, "Someone else's")
    page = page_of(login(creator), star).content.decode()
    assert f'<option value="{mine.pk}"' in page
    assert "Someone else&#x27;s" not in page


def test_choosing_a_project_offers_to_shortlist_and_open_it(login, creator, star):
    project = project_of(creator, "Night Market")
    page = page_of(login(creator), star, project=project.pk).content.decode()
    assert 'data-testid="chosen-project"' in page
    assert f'action="/projects/{project.pk}/shortlist/{star.slug}/add/"' in page
    assert "Shortlist for Night Market and open the project" in page


def test_choosing_a_project_where_the_actor_is_shortlisted_links_to_it(login, creator, star):
    project = project_of(creator, "Night Market")
    ShortlistEntry.objects.create(project=project, actor=star)
    page = page_of(login(creator), star, project=project.pk).content.decode()
    assert "林晓雨 is on the shortlist of Night Market." in page
    assert f'href="/projects/{project.pk}/"' in page


def test_shortlisting_from_the_request_form_adds_and_shows_the_project(login, creator, star):
    project = project_of(creator, "Night Market")
    client = login(creator)
    response = client.post(f"/projects/{project.pk}/shortlist/{star.slug}/add/")
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    assert ShortlistEntry.objects.filter(project=project, actor=star).exists()


def test_project_of_another_creator_is_not_chosen(login, creator, other_creator, star):
    foreign = project_of(other_creator, "Foreign")
    page = page_of(login(creator), star, project=foreign.pk).content.decode()
    assert 'data-testid="chosen-project"' not in page


def test_page_query_count_does_not_grow_with_projects_or_photos(login, creator, star, django_assert_max_num_queries):
    client = login(creator)
    page_of(client, star)
    with CaptureQueriesContext(connection) as few:
        page_of(client, star)
    for index in range(4):
        project_of(creator, f"Project {index}")
        photo_for(star)
    with django_assert_max_num_queries(len(few)):
        page_of(client, star)
