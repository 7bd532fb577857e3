"""seed_volume: many listed, searchable actors for load tests."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from actors.models import ActorProfile, LikenessPhoto, RedLines
from actors.selectors import listed_actors
from creators.management.commands.seed_volume import EMAIL_DOMAIN
from creators.selectors.roster import RosterParams, roster_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_volume", actors=50, batch=20, stdout=io.StringIO())
    return ActorProfile.objects.filter(user__email__endswith=EMAIL_DOMAIN)


def test_seeds_listed_actors_with_verified_email_and_red_lines(seeded):
    assert seeded.count() == 50
    assert listed_actors().filter(pk__in=seeded).count() == 50
    assert EmailAddress.objects.filter(email__endswith=EMAIL_DOMAIN, verified=True, primary=True).count() == 50
    assert RedLines.objects.filter(actor__in=seeded).count() == 50


def test_seeded_actors_vary(seeded):
    assert seeded.values("gender").distinct().count() >= 3
    assert seeded.values("country").distinct().count() >= 5
    assert seeded.values("fee_currency").distinct().count() >= 3
    assert seeded.filter(stage_name__regex=r"^[\u4e00-\u9fff]+$").count() >= 10
    assert seeded.filter(min_fee__isnull=False, min_fee_usd__isnull=False).count() >= 30


def test_most_seeded_actors_have_a_thumbnail_from_shared_files(seeded):
    photos = LikenessPhoto.objects.filter(actor__in=seeded, renditions="ready", is_primary=True)
    assert 30 <= photos.count() < 50
    assert photos.values("thumbnail").distinct().count() <= 8
    assert all(photo.thumbnail.storage.exists(photo.thumbnail.name) for photo in photos[:8])


def test_seeded_actors_are_found_by_the_roster_search(seeded):
    someone = seeded.filter(skills__contains="武术").first() or seeded.first()
    page = roster_search(params=RosterParams(q=someone.stage_name), page_size=100)
    assert someone.pk in [actor.pk for actor in page.actors]
    skill = someone.skill_list[0]
    page = roster_search(params=RosterParams(q=skill), page_size=100)
    assert someone.pk in [actor.pk for actor in page.actors]


@pytest.mark.postgres
def test_seeded_actors_have_a_search_vector_on_postgresql(seeded):
    assert not seeded.filter(search_vector__isnull=True).exists()


def test_second_run_refuses_without_reset(seeded):
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_volume", actors=10, stdout=io.StringIO())
    assert seeded.count() == 50


def test_reset_replaces_the_seeded_actors_and_nothing_else(seeded, actor):
    call_command("seed_volume", actors=7, reset=True, stdout=io.StringIO())
    assert seeded.count() == 7
    assert ActorProfile.objects.filter(user=actor).exists()
