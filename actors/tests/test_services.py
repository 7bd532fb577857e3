import pytest

from actors.models import ActorProfile
from actors.services import actor_profile_create, unique_slug
from marketplace.exceptions import RoleAlreadyHeld
from marketplace.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_slug_for_a_chinese_stage_name_is_ascii_and_unique():
    first = actor_profile_create(user=UserFactory(), stage_name="林晓雨")
    second = actor_profile_create(user=UserFactory(), stage_name="林晓雨")
    assert first.slug.isascii()
    assert second.slug.isascii()
    assert first.slug != second.slug


def test_unique_slug_tries_again_while_taken():
    taken = {"maya", "maya-aaaaaa"}
    slug = unique_slug("Maya", taken=lambda candidate: candidate in taken)
    assert slug not in taken
    assert slug.startswith("maya-")


def test_stage_name_is_trimmed():
    assert actor_profile_create(user=UserFactory(), stage_name="  Maya  ").stage_name == "Maya"


def test_second_actor_profile_for_the_same_user_is_refused():
    user = UserFactory()
    actor_profile_create(user=user, stage_name="Maya")
    with pytest.raises(RoleAlreadyHeld):
        actor_profile_create(user=user, stage_name="Other")
    assert ActorProfile.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("stage_name", "slug"),
    [
        ("陈思远", "chen-si-yuan"),
        ("林晓雨", "lin-xiao-yu"),
        ("单田芳", "shan-tian-fang"),  # 单 as a family name is shàn, not dān
        ("Lin 晓雨", "lin-xiao-yu"),
        ("Maya Okafor", "maya-okafor"),
        ("𠀀", "actor"),  # nothing the table can write
    ],
)
def test_slug_of_a_chinese_name_is_its_pinyin(stage_name, slug):
    assert actor_profile_create(user=UserFactory(), stage_name=stage_name).slug == slug


def test_the_pinyin_table_covers_gb2312_and_is_small():
    from actors.pinyin import TABLE, _table

    readings, surnames = _table()
    assert len(readings) == 6763
    assert surnames["曾"] == "zeng"
    assert TABLE.stat().st_size < 120_000
