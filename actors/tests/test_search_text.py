"""The text the roster searches: what each profile stores."""

import pytest

from actors.models import ActorProfile
from actors.services import actor_profile_update
from actors.services.profile import cjk_bigrams
from actors.tests.factories import ActorProfileFactory


def test_chinese_runs_become_overlapping_character_pairs():
    assert cjk_bigrams("林晓雨，擅长武术 and horse riding") == ["林晓", "晓雨", "擅长", "长武", "武术"]


def test_a_lone_chinese_character_is_kept():
    assert cjk_bigrams("王 Wang") == ["王"]


def test_latin_text_has_no_pairs():
    assert cjk_bigrams("Lin Xiaoyu, stage combat") == []


@pytest.mark.django_db
def test_saving_the_profile_refreshes_its_search_text():
    actor = ActorProfileFactory(stage_name="林晓雨")
    actor_profile_update(actor=actor, data={"headline": "Wuxia Lead", "skills": "武术, Horse riding"})
    stored = ActorProfile.objects.values("search_document", "search_ngrams").get(pk=actor.pk)
    assert "wuxia lead" in stored["search_document"]
    assert "horse riding" in stored["search_document"]
    assert stored["search_ngrams"].split() == ["林晓", "晓雨", "武术"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_vector_holds_the_character_pairs_on_postgresql():
    from django.contrib.postgres.search import SearchQuery

    actor = ActorProfileFactory(stage_name="林晓雨")
    matches = ActorProfile.objects.filter(search_vector=SearchQuery("晓雨", config="simple"))
    assert list(matches) == [actor]
