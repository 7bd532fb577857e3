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
