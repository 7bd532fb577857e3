"""``GET /api/v1/actors/``: parameters the roster's form would read as "any"
or as true are refused as the schema documents them (issue 13)."""

import pytest

from actors.tests.factories import ActorProfileFactory

pytestmark = pytest.mark.django_db

ACTORS = "/api/v1/actors/"
EMPTY_FILTER = ["This parameter is empty: give one of its values, or leave it out for any."]
CLOSED_PARAMETERS = [
    "language",
    "gender",
    "age",
    "age_min",
    "age_max",
    "country",
    "category",
    "fee_max",
    "currency",
    "ai_training",
    "sort",
]


@pytest.fixture
def as_creator(api_as, creator):
    ActorProfileFactory(listed=True)
    return api_as(creator)


@pytest.mark.parametrize("parameter", CLOSED_PARAMETERS)
def test_a_filter_sent_empty_is_400_naming_it(as_creator, parameter):
    response = as_creator.get(ACTORS, {parameter: ""})
    assert response.status_code == 400
    assert response.json() == {parameter: EMPTY_FILTER}


def test_an_empty_page_size_is_400(as_creator):
    response = as_creator.get(ACTORS, {"page_size": ""})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


@pytest.mark.parametrize("parameter", ["q", "city", "skill"])
def test_free_text_may_be_empty(as_creator, parameter):
    assert as_creator.get(ACTORS, {parameter: ""}).status_code == 200


@pytest.mark.parametrize("value", ["maybe", "null", "on", "2"])
def test_ai_training_that_is_not_a_boolean_is_400(as_creator, value):
    response = as_creator.get(ACTORS, {"ai_training": value})
    assert response.status_code == 400
    assert response.json() == {"ai_training": ["Give true or false."]}


@pytest.mark.parametrize("value", ["true", "false", "TRUE", "1", "0"])
def test_ai_training_as_a_boolean_is_read(as_creator, value):
    assert as_creator.get(ACTORS, {"ai_training": value}).status_code == 200


def test_a_malformed_range_next_to_an_age_is_400(as_creator):
    response = as_creator.get(ACTORS, {"age": "41", "age_min": "false"})
    assert response.status_code == 400
    assert list(response.json()) == ["age_min"]


@pytest.mark.parametrize(("parameter", "limit"), [("q", 100), ("city", 80), ("skill", 80)])
def test_free_text_over_the_limit_before_trimming_is_400(as_creator, parameter, limit):
    response = as_creator.get(ACTORS, {parameter: "x" * limit + " "})
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert as_creator.get(ACTORS, {parameter: "x" * limit}).status_code == 200
