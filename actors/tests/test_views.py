"""The actor's own pages under /actors/me/: who gets in, what bad input
answers, and what a good form saves (profile, red lines, roster consent)."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.utils import translation

from actors.consent import CONSENT_VERSION, consent_text
from actors.models import ActorProfile, ConsentRecord, LikenessPhoto, RedLines
from actors.services import actor_opt_in
from actors.tests.factories import list_on_roster, photo_for
from marketplace.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROFILE = "/actors/me/"
RED_LINES = "/actors/me/red-lines/"
OPT_IN = "/actors/me/opt-in/"

GET_PAGES = [
    "/actors/me/",
    "/actors/me/photos/",
    "/actors/me/red-lines/",
    "/actors/me/opt-in/",
    "/actors/me/verify/",
    "/actors/me/access/",
    "/actors/me/access.csv",
    "/actors/me/data/",
    "/actors/me/data/exports/not-a-token/",
]
POST_ACTIONS = [
    "/actors/me/photos/{pk}/primary/",
    "/actors/me/photos/{pk}/delete/",
    "/actors/me/photos/{pk}/move/",
    "/actors/me/data/export/",
    "/actors/me/data/delete/",
]
GET_OR_POST_PAGES = [
    "/actors/me/",
    "/actors/me/photos/",
    "/actors/me/red-lines/",
    "/actors/me/opt-in/",
    "/actors/me/verify/",
]
GET_ONLY_PAGES = [page for page in GET_PAGES if page not in GET_OR_POST_PAGES]


@pytest.fixture
def photo(actor):
    return photo_for(actor.actor_profile, seed=70)


def photo_exists(photo) -> bool:
    return LikenessPhoto.objects.filter(pk=photo.pk).exists()


def profile_snapshot(user) -> dict:
    return model_to_dict(ActorProfile.objects.get(user=user))


# --- Who gets in ---------------------------------------------------------------


@pytest.mark.parametrize("path", GET_PAGES)
def test_anonymous_is_sent_to_login_from_every_page(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={path}"


@pytest.mark.parametrize("path", POST_ACTIONS)
def test_anonymous_is_sent_to_login_from_every_action(anonymous, photo, path):
    path = path.format(pk=photo.pk)
    response = anonymous.post(path)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={path}"
    photo.refresh_from_db()
    assert photo.is_primary


@pytest.mark.parametrize("path", GET_PAGES)
def test_creator_without_actor_profile_is_refused_every_page(login, creator, path):
    response = login(creator).get(path)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="authz.denied", actor=creator, target=path).exists()


@pytest.mark.parametrize("path", POST_ACTIONS)
def test_creator_without_actor_profile_is_refused_every_action(login, creator, photo, path):
    response = login(creator).post(path.format(pk=photo.pk), {"password": "correct horse battery"})
    assert response.status_code == 403
    assert photo_exists(photo)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
@pytest.mark.parametrize("path", GET_OR_POST_PAGES)
def test_other_methods_on_form_pages_are_405(login, actor, path, method):
    before = profile_snapshot(actor)
    response = getattr(login(actor), method)(path)
    assert response.status_code == 405
    assert profile_snapshot(actor) == before


@pytest.mark.parametrize("path", GET_ONLY_PAGES)
def test_post_to_read_only_pages_is_405(login, actor, path):
    assert login(actor).post(path).status_code == 405


@pytest.mark.parametrize("path", POST_ACTIONS)
def test_get_on_actions_is_405(login, actor, photo, path):
    assert login(actor).get(path.format(pk=photo.pk)).status_code == 405
    assert photo_exists(photo)


@pytest.mark.parametrize("path", GET_PAGES[:-1])
def test_actor_sees_every_page(login, actor, path):
    assert login(actor).get(path).status_code == 200


# --- Profile -------------------------------------------------------------------


def profile_data(**overrides) -> dict:
    data = {
        "stage_name": "Lin Xiaoyu",
        "legal_name": "林晓雨",
        "headline": "Martial arts and period drama",
        "bio": "Trained at the Beijing Film Academy.",
        "languages": ["zh", "en"],
        "gender": "female",
        "playing_age_min": "22",
        "playing_age_max": "30",
        "city": "Beijing",
        "country": "CN",
        "skills": "martial arts, horse riding",
        "min_fee": "7100",
        "fee_currency": "CNY",
        "union_membership": "",
    }
    data.update(overrides)
    return data


def test_profile_is_saved_and_fee_compared_in_dollars(login, actor):
    response = login(actor).post(PROFILE, profile_data())
    assert response.status_code == 302
    assert response.url == PROFILE
    profile = ActorProfile.objects.get(user=actor)
    assert profile.headline == "Martial arts and period drama"
    assert profile.legal_name == "林晓雨"
    assert profile.languages == ["zh", "en"]
    assert (profile.playing_age_min, profile.playing_age_max) == (22, 30)
    assert profile.min_fee == Decimal("7100")
    assert profile.min_fee_usd == Decimal("1000.00")
    assert "martial arts" in profile.search_document


def test_saved_profile_says_so(login, actor):
    response = login(actor).post(PROFILE, profile_data(), follow=True)
    assert "Your profile is saved." in response.content.decode()


def test_skills_are_split_on_chinese_commas_too(login, actor):
    response = login(actor).post(PROFILE, profile_data(skills="武术，骑马、 horse riding；dance"))
    assert response.status_code == 302
    profile = ActorProfile.objects.get(user=actor)
    assert profile.skill_list == ["武术", "骑马", "horse riding", "dance"]


def test_duplicate_skills_are_kept_once(login, actor):
    login(actor).post(PROFILE, profile_data(skills="Dance, dance, DANCE, 武术"))
    assert ActorProfile.objects.get(user=actor).skill_list == ["Dance", "武术"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"playing_age_min": "40", "playing_age_max": "25"}, "The upper age must not be below the lower age."),
        ({"min_fee": "-1"}, "Ensure this value is greater than or equal to 0."),
        (
            {"stage_name": "Lin \u202euyoaiX"},
            "The name contains invisible or control characters. Type it again without them.",
        ),
        ({"bio": "x" * 2001}, "Ensure this value has at most 2000 characters (it has 2001)."),
        ({"skills": ", ".join(f"skill {n}" for n in range(21))}, "At most 20 entries, please."),
        ({"stage_name": " "}, "This field is required."),
        ({"playing_age_max": "101"}, "Ensure this value is less than or equal to 100."),
    ],
    ids=["age-range-reversed", "negative-fee", "bidi-override", "bio-too-long", "too-many-skills", "blank-name", "age"],
)
def test_bad_profile_input_is_400_with_a_clear_message_and_changes_nothing(login, actor, overrides, message):
    before = profile_snapshot(actor)
    response = login(actor).post(PROFILE, profile_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert profile_snapshot(actor) == before


# --- Red lines -----------------------------------------------------------------


def red_lines_data(**overrides) -> dict:
    data = {
        "excluded_categories": ["political", "gambling"],
        "blocked_keywords": "Casino, casino, 赌博",
        "accepted_territories": ["cn_mainland", "east_asia"],
        "max_term_months": "24",
    }
    data.update(overrides)
    return data


def test_red_lines_are_saved_with_keywords_deduplicated_in_any_case(login, actor):
    response = login(actor).post(RED_LINES, red_lines_data())
    assert response.status_code == 302
    red_lines = RedLines.objects.get(actor__user=actor)
    assert red_lines.blocked_keywords == ["Casino", "赌博"]
    assert red_lines.excluded_categories == ["gambling", "political"]
    assert red_lines.accepted_territories == ["cn_mainland", "east_asia"]
    assert red_lines.ai_training_allowed is False
    assert ActorProfile.objects.get(user=actor).max_term_months == 24


def test_ai_training_can_be_allowed(login, actor):
    login(actor).post(RED_LINES, red_lines_data(ai_training_allowed="on"))
    assert RedLines.objects.get(actor__user=actor).ai_training_allowed is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_term_months": "121"}, "Ensure this value is less than or equal to 120."),
        ({"max_term_months": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"excluded_categories": ["weapons"]}, "Select a valid choice. weapons is not one of the available choices."),
        ({"blocked_keywords": ", ".join(f"word{n}" for n in range(51))}, "At most 50 entries, please."),
    ],
    ids=["term-over-ten-years", "term-zero", "unknown-category", "too-many-keywords"],
)
def test_bad_red_lines_are_400_and_change_nothing(login, actor, overrides, message):
    before = model_to_dict(RedLines.objects.get(actor__user=actor))
    response = login(actor).post(RED_LINES, red_lines_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert model_to_dict(RedLines.objects.get(actor__user=actor)) == before
    assert ActorProfile.objects.get(user=actor).max_term_months == 12


# --- Roster consent --------------------------------------------------------------


def test_opt_in_without_ticking_the_box_is_refused(login, actor):
    # What a browser sends for the form with the box left unticked.
    response = login(actor).post(OPT_IN, {"csrfmiddlewaretoken": "token"})
    assert response.status_code == 400
    assert "Tick the box to confirm that you want to be listed." in response.content.decode()
    assert not ConsentRecord.objects.exists()
    assert not ActorProfile.objects.get(user=actor).opted_in
    assert not AuditEvent.objects.filter(action="consent.opt_in").exists()


def test_opt_in_records_the_exact_consent(login, actor):
    response = login(actor).post(
        OPT_IN, {"confirm": "on"}, HTTP_USER_AGENT="Mozilla/5.0 (ConsentCast test)", REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    (record,) = ConsentRecord.objects.all()
    assert record.actor == actor.actor_profile
    assert record.action == ConsentRecord.Action.OPT_IN
    assert record.text_version == CONSENT_VERSION
    assert record.language == "en"
    with translation.override("en"):
        assert record.text == consent_text()
    assert record.ip_address == "203.0.113.7"
    assert record.user_agent == "Mozilla/5.0 (ConsentCast test)"
    profile = ActorProfile.objects.get(user=actor)
    assert profile.opted_in
    assert profile.opted_in_at is not None
    event = AuditEvent.objects.get(action="consent.opt_in")
    assert event.actor == actor
    assert event.data["consent_record"] == record.pk


def test_unverified_actor_is_opted_in_but_not_listed(login, actor):
    response = login(actor).post(OPT_IN, {"confirm": "on"}, follow=True)
    assert "You will be listed once a moderator has verified your identity." in response.content.decode()
    assert not ActorProfile.objects.get(user=actor).is_listed


def test_opt_in_in_chinese_records_the_chinese_text(login, other_actor):
    login(other_actor).post(OPT_IN, {"confirm": "on"})
    (record,) = ConsentRecord.objects.all()
    assert record.language == "zh-hans"
    with translation.override("zh-hans"):
        assert record.text == consent_text()


def test_second_opt_in_says_already_opted_in_and_records_nothing(login, actor):
    client = login(actor)
    client.post(OPT_IN, {"confirm": "on"})
    response = client.post(OPT_IN, {"confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert "You are already opted in." in response.content.decode()
    assert ConsentRecord.objects.count() == 1


def test_opt_out_unlists_at_once_and_is_recorded(login, actor):
    profile = list_on_roster(actor.actor_profile)
    assert profile.is_listed
    response = login(actor).post(OPT_IN, {"action": "opt_out"}, REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.opted_in
    assert not profile.is_listed
    (record,) = ConsentRecord.objects.all()
    assert record.action == ConsentRecord.Action.OPT_OUT
    assert record.ip_address == "203.0.113.8"
    assert AuditEvent.objects.filter(action="consent.opt_out", actor=actor).exists()


def test_opt_out_when_not_opted_in_records_nothing(login, actor):
    response = login(actor).post(OPT_IN, {"action": "opt_out"}, follow=True)
    assert "You are not opted in." in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_consent_records_cannot_be_changed_or_deleted(actor):
    record = actor_opt_in(actor=actor.actor_profile)
    record.text = "I agreed to everything."
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=record.pk).update(text="I agreed to everything.")
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    assert ConsentRecord.objects.get(pk=record.pk).text == consent_text()


def test_consent_history_is_on_the_page(login, actor):
    client = login(actor)
    client.post(OPT_IN, {"confirm": "on"}, REMOTE_ADDR="203.0.113.9")
    client.post(OPT_IN, {"action": "opt_out"}, REMOTE_ADDR="203.0.113.9")
    page = client.get(OPT_IN).content.decode()
    assert "Opted in" in page
    assert "Opted out" in page
    assert page.count(f"text {CONSENT_VERSION}") == 2
    assert "203.0.113.9" in page


def test_chinese_speaker_gets_the_opt_in_page_in_chinese(login, other_actor):
    response = login(other_actor).get(OPT_IN)
    assert response.status_code == 200
    assert response["Content-Language"].lower() == "zh-hans"
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page.lower()


def test_the_consent_text_says_a_signed_contract_can_be_revoked_at_any_time():
    from django.utils import translation

    from actors.consent import consent_text

    with translation.override("en"):
        assert "revoke any signed contract at any time" in consent_text()
    with translation.override("zh-hans"):
        assert "随时在合同页面撤销" in consent_text()
