import pytest

from creators.models import CreatorProfile
from creators.services import creator_profile_create
from marketplace.exceptions import RoleAlreadyHeld
from marketplace.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_creator_profile_is_created_with_trimmed_name():
    profile = creator_profile_create(user=UserFactory(), display_name=" Lumen Pictures ")
    assert profile.display_name == "Lumen Pictures"


def test_second_creator_profile_for_the_same_user_is_refused():
    user = UserFactory()
    creator_profile_create(user=user, display_name="Lumen")
    with pytest.raises(RoleAlreadyHeld):
        creator_profile_create(user=user, display_name="Other")
    assert CreatorProfile.objects.get(user=user).display_name == "Lumen"


def test_a_shot_keeps_each_likeness_usage_once():
    from creators.services import shot_add, shot_update
    from creators.tests.factories import ProjectFactory

    project = ProjectFactory()
    shot = shot_add(
        project=project,
        number=1,
        description="Close-up",
        category="film",
        likeness_usage=["face", "face", "voice"],
        duration_seconds=5,
    )
    shot.refresh_from_db()
    assert shot.likeness_usage == ["face", "voice"]
    shot_update(
        shot=shot, number=1, description="Close-up", category="film", likeness_usage=["voice"] * 3, duration_seconds=5
    )
    shot.refresh_from_db()
    assert shot.likeness_usage == ["voice"]
