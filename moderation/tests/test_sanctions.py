"""Sanctions: a suspension blocks sign-in, ends the sessions already open,
hides the profiles and declines the open requests; reinstating lifts it.
Warnings and hiding a profile, through the services and the user page."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.messages import get_messages
from django.test import Client

from actors.models import ActorProfile, VerificationStatus
from actors.selectors import listed_actors
from creators.models import CreatorProfile
from marketplace.exceptions import InvalidTransition
from marketplace.models import AuditEvent, Notification, User
from moderation import notifications as kinds
from moderation.models import Sanction
from moderation.services import user_reinstate, user_suspend, user_warn
from moderation.tests.conftest import mark_recently_authenticated
from usage_requests import notifications as request_kinds
from usage_requests.models import RequestStatus
from usage_requests.tests.factories import open_actor, send_request

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
SUSPENDED_MESSAGE = "This account is suspended by a moderator."


def signed_in(user) -> Client:
    """A real session: signed in with the password, then one page opened
    (which records allauth's UserSession)."""
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    assert client.get("/notifications/").status_code == 200
    return client


def notified(user, kind) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind.key).exists()


def suspend(user, by, reason: str = "Harassed other users."):
    return user_suspend(user=user, by=by, reason=reason)


@pytest.fixture
def listed(actor) -> ActorProfile:
    return open_actor(actor.actor_profile)


# --- Suspension: sessions and sign-in ----------------------------------------------


def test_suspension_ends_a_session_already_open_on_its_next_request(actor, mfa_moderator):
    client = signed_in(actor)
    suspend(actor, mfa_moderator)
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert response.wsgi_request.user.is_anonymous


def test_suspension_ends_a_session_even_if_the_session_row_was_kept(actor, mfa_moderator):
    # The backends refuse a suspended user on every request, whatever the
    # session store still holds.
    client = Client()
    client.force_login(actor)
    User.objects.filter(pk=actor.pk).update(suspended_at="2025-01-01T00:00:00Z")
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.wsgi_request.user.is_anonymous


def test_suspension_deletes_the_users_sessions(actor, other_actor, mfa_moderator):
    signed_in(actor)
    signed_in(actor)
    signed_in(other_actor)
    assert UserSession.objects.filter(user=actor).count() == 2
    suspend(actor, mfa_moderator)
    assert not UserSession.objects.filter(user=actor).exists()
    assert UserSession.objects.filter(user=other_actor).count() == 1


def test_a_suspended_user_cannot_sign_in_with_the_right_password_and_is_told_why(client, actor, mfa_moderator):
    suspend(actor, mfa_moderator)
    assert not client.login(email=actor.email, password=PASSWORD)
    response = client.post("/accounts/login/", {"login": actor.email, "password": PASSWORD}, follow=True)
    assert SUSPENDED_MESSAGE in response.content.decode()
    assert response.wsgi_request.user.is_anonymous
    assert "_auth_user_id" not in client.session
    assert client.get("/notifications/").status_code == 302


def test_a_wrong_password_for_a_suspended_user_reveals_nothing(client, actor, mfa_moderator):
    suspend(actor, mfa_moderator)
    response = client.post("/accounts/login/", {"login": actor.email, "password": "wrong password here"}, follow=True)
    assert SUSPENDED_MESSAGE not in response.content.decode()
    assert response.wsgi_request.user.is_anonymous


# --- Suspension: what else it does ----------------------------------------------------


def test_suspending_an_actor_declines_their_open_requests_and_tells_the_creator(
    listed, actor, creator, other_creator, mfa_moderator
):
    first = send_request(actor=listed, creator=creator.creator_profile)
    second = send_request(actor=listed, creator=other_creator.creator_profile)
    Notification.objects.all().delete()
    suspend(actor, mfa_moderator)
    for request, other_side in ((first, creator), (second, other_creator)):
        request.refresh_from_db()
        assert request.status == RequestStatus.DECLINED
        assert request.events.filter(kind="declined", data__cause="account_suspended").exists()
        assert Notification.objects.filter(
            recipient=other_side, kind=request_kinds.REQUEST_DECLINED.key, target_id=request.pk
        ).exists()


def test_suspending_a_creator_declines_their_open_requests_and_tells_the_actor(
    listed, actor, creator, other_actor, mfa_moderator
):
    mine = send_request(actor=listed, creator=creator.creator_profile)
    elsewhere = send_request(actor=open_actor(other_actor.actor_profile), creator=creator.creator_profile)
    Notification.objects.all().delete()
    suspend(creator, mfa_moderator)
    for request, other_side in ((mine, actor), (elsewhere, other_actor)):
        request.refresh_from_db()
        assert request.status == RequestStatus.DECLINED
        assert Notification.objects.filter(
            recipient=other_side, kind=request_kinds.REQUEST_DECLINED.key, target_id=request.pk
        ).exists()


def test_suspension_leaves_other_peoples_requests_alone(listed, other_actor, creator, other_creator, mfa_moderator):
    theirs = send_request(actor=open_actor(other_actor.actor_profile), creator=other_creator.creator_profile)
    suspend(creator, mfa_moderator)
    theirs.refresh_from_db()
    assert theirs.status == RequestStatus.PENDING


def test_suspension_hides_the_actor_from_the_roster_and_their_page(listed, actor, creator, mfa_moderator):
    browsing = Client()
    browsing.force_login(creator)
    assert "Lin Xiaoyu" in browsing.get("/roster/").content.decode()
    assert browsing.get(f"/roster/{listed.slug}/").status_code == 200
    suspend(actor, mfa_moderator)
    assert listed not in listed_actors()
    listed.refresh_from_db()
    assert not listed.is_listed
    assert "Lin Xiaoyu" not in browsing.get("/roster/").content.decode()
    assert browsing.get(f"/roster/{listed.slug}/").status_code == 404


def test_suspension_hides_the_creator_page(creator, actor, mfa_moderator):
    browsing = Client()
    browsing.force_login(actor)
    page = f"/creators/{creator.creator_profile.pk}/"
    assert browsing.get(page).status_code == 200
    suspend(creator, mfa_moderator)
    assert browsing.get(page).status_code == 404


def test_suspension_is_recorded_audited_and_told_to_the_user(actor, mfa_moderator):
    sanction = suspend(actor, mfa_moderator, reason="  Harassed   other users. ")
    actor.refresh_from_db()
    assert actor.suspended_at is not None
    assert Sanction.objects.get() == sanction
    assert sanction.kind == Sanction.Kind.SUSPENSION
    assert sanction.reason == "Harassed other users."
    assert sanction.given_by == mfa_moderator
    assert sanction.lifted_at is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_SUSPENDED)
    assert event.actor == mfa_moderator
    assert event.target == f"marketplace.user:{actor.pk}"
    assert event.data == {"reason": "Harassed other users.", "sanction": sanction.pk}
    note = Notification.objects.get(recipient=actor, kind=kinds.ACCOUNT_SUSPENDED.key)
    assert note.params == {"reason": "Harassed other users."}
    assert note.email_status == "pending"


def test_suspending_twice_is_refused_and_writes_nothing_more(actor, mfa_moderator, other_moderator):
    suspend(actor, mfa_moderator)
    actor.refresh_from_db()
    first_time = actor.suspended_at
    with pytest.raises(InvalidTransition):
        suspend(actor, other_moderator)
    actor.refresh_from_db()
    assert actor.suspended_at == first_time
    assert Sanction.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_SUSPENDED).count() == 1


def test_a_moderator_cannot_suspend_themselves(mfa_moderator):
    with pytest.raises(InvalidTransition):
        suspend(mfa_moderator, mfa_moderator)
    mfa_moderator.refresh_from_db()
    assert mfa_moderator.suspended_at is None
    assert not Sanction.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_suspension_needs_a_reason(reason, actor, mfa_moderator):
    with pytest.raises(InvalidTransition):
        suspend(actor, mfa_moderator, reason=reason)
    actor.refresh_from_db()
    assert actor.suspended_at is None
    assert not Sanction.objects.exists()


# --- Reinstating -----------------------------------------------------------------------


def test_reinstating_restores_sign_in_and_the_listing(listed, actor, creator, mfa_moderator, other_moderator):
    sanction = suspend(actor, mfa_moderator)
    user_reinstate(user=actor, by=other_moderator, reason="Appeal accepted.")
    actor.refresh_from_db()
    assert actor.suspended_at is None
    assert Client().login(email=actor.email, password=PASSWORD)
    assert listed in listed_actors()
    browsing = Client()
    browsing.force_login(creator)
    assert browsing.get(f"/roster/{listed.slug}/").status_code == 200
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None
    assert sanction.lifted_by == other_moderator
    assert sanction.lift_reason == "Appeal accepted."
    assert notified(actor, kinds.ACCOUNT_REINSTATED)
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_REINSTATED)
    assert event.actor == other_moderator
    assert event.target == f"marketplace.user:{actor.pk}"


def test_reinstating_restores_the_creator_page(creator, actor, mfa_moderator):
    suspend(creator, mfa_moderator)
    user_reinstate(user=creator, by=mfa_moderator, reason="Appeal accepted.")
    browsing = Client()
    browsing.force_login(actor)
    assert browsing.get(f"/creators/{creator.creator_profile.pk}/").status_code == 200


def test_reinstating_does_not_list_an_actor_who_opted_out_meanwhile(listed, actor, mfa_moderator):
    suspend(actor, mfa_moderator)
    ActorProfile.objects.filter(pk=listed.pk).update(opted_in=False)
    user_reinstate(user=actor, by=mfa_moderator, reason="Appeal accepted.")
    listed.refresh_from_db()
    assert not listed.is_listed
    assert listed not in listed_actors()


def test_reinstating_does_not_list_an_unverified_actor(actor, mfa_moderator):
    ActorProfile.objects.filter(user=actor).update(opted_in=True, verification_status=VerificationStatus.PENDING)
    suspend(actor, mfa_moderator)
    user_reinstate(user=actor, by=mfa_moderator, reason="Appeal accepted.")
    assert not ActorProfile.objects.get(user=actor).is_listed


def test_reinstating_leaves_the_declined_requests_declined(listed, actor, creator, mfa_moderator):
    request = send_request(actor=listed, creator=creator.creator_profile)
    suspend(actor, mfa_moderator)
    user_reinstate(user=actor, by=mfa_moderator, reason="Appeal accepted.")
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED


def test_reinstating_an_active_user_is_refused(actor, mfa_moderator):
    with pytest.raises(InvalidTransition):
        user_reinstate(user=actor, by=mfa_moderator, reason="Nothing to lift.")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_REINSTATED).exists()
    assert not notified(actor, kinds.ACCOUNT_REINSTATED)


def test_reinstating_keeps_warnings_and_lifts_only_the_suspension(actor, mfa_moderator):
    warning = user_warn(user=actor, by=mfa_moderator, reason="Be polite.")
    suspend(actor, mfa_moderator)
    user_reinstate(user=actor, by=mfa_moderator, reason="Appeal accepted.")
    warning.refresh_from_db()
    assert warning.lifted_at is None
    assert Sanction.objects.filter(kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=False).count() == 1


def test_a_second_suspension_after_reinstating_is_a_new_sanction(actor, mfa_moderator):
    suspend(actor, mfa_moderator)
    user_reinstate(user=actor, by=mfa_moderator, reason="Appeal accepted.")
    suspend(actor, mfa_moderator, reason="Again.")
    assert Sanction.objects.filter(kind=Sanction.Kind.SUSPENSION).count() == 2
    assert Sanction.objects.filter(kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=True).get().reason == "Again."
    assert Notification.objects.filter(recipient=actor, kind=kinds.ACCOUNT_SUSPENDED.key).count() == 2


# --- Through the user page -----------------------------------------------------------------


def sanction(client, user, action: str, reason: str = "Repeated abuse in messages."):
    return client.post(f"/moderation/users/{user.pk}/sanction/", {"sanction": action, "reason": reason})


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def state_of(user) -> dict:
    """Everything a sanction can change about ``user``."""
    user = User.objects.get(pk=user.pk)
    actor = ActorProfile.objects.filter(user=user).first()
    creator = CreatorProfile.objects.filter(user=user).first()
    return {
        "suspended": user.suspended_at is not None,
        "actor_hidden": actor.hidden_at is not None if actor else None,
        "actor_listed": actor.is_listed if actor else None,
        "creator_hidden": creator.hidden_at is not None if creator else None,
        "sanctions": list(Sanction.objects.filter(user=user).values_list("kind", "lifted_at")),
        "notifications": Notification.objects.filter(recipient=user).count(),
        "audit": AuditEvent.objects.filter(target=f"marketplace.user:{user.pk}").count(),
    }


@pytest.fixture
def both_roles(listed, actor):
    """The actor also has a creator profile, so every action applies."""
    from creators.tests.factories import CreatorProfileFactory

    CreatorProfileFactory(user=actor, display_name="Lin Films")
    return actor


def _suspended(user, by):
    suspend(user, by)


def _hidden(kind):
    def make(user, by):
        model = ActorProfile if kind == "actor" else CreatorProfile
        model.objects.filter(user=user).update(hidden_at="2025-01-01T00:00:00Z")
        if kind == "actor":
            from actors.services import actor_listing_refresh

            actor_listing_refresh(actor=ActorProfile.objects.get(user=user))

    return make


PAGE_ACTIONS = [
    # action, what to set up first, audit action, the change to expect
    ("warn", None, AuditEvent.Action.USER_WARNED, {}),
    ("suspend", None, AuditEvent.Action.USER_SUSPENDED, {"suspended": True, "actor_listed": False}),
    ("reinstate", _suspended, AuditEvent.Action.USER_REINSTATED, {"suspended": False, "actor_listed": True}),
    ("hide_actor", None, AuditEvent.Action.PROFILE_HIDDEN, {"actor_hidden": True, "actor_listed": False}),
    ("show_actor", _hidden("actor"), AuditEvent.Action.PROFILE_SHOWN, {"actor_hidden": False, "actor_listed": True}),
    ("hide_creator", None, AuditEvent.Action.PROFILE_HIDDEN, {"creator_hidden": True}),
    ("show_creator", _hidden("creator"), AuditEvent.Action.PROFILE_SHOWN, {"creator_hidden": False}),
]


@pytest.mark.parametrize(("action", "setup", "audited", "expected"), PAGE_ACTIONS, ids=[a[0] for a in PAGE_ACTIONS])
def test_each_sanction_on_the_user_page_takes_effect_and_returns_to_the_page(
    action, setup, audited, expected, both_roles, mfa_moderator, other_moderator, moderator_client
):
    if setup is not None:
        setup(both_roles, other_moderator)
    before = state_of(both_roles)
    response = sanction(moderator_client, both_roles, action)
    assert response.status_code == 302, response.content.decode()
    assert response.url == f"/moderation/users/{both_roles.pk}/"
    assert flash(response) == ["Done. The user has been told."]
    after = state_of(both_roles)
    for key, value in expected.items():
        assert after[key] == value, key
    assert after["notifications"] == before["notifications"] + 1
    event = AuditEvent.objects.filter(action=audited).latest("id")
    assert event.actor == mfa_moderator
    assert event.target == f"marketplace.user:{both_roles.pk}"
    assert event.data["reason"] == "Repeated abuse in messages."


def test_warning_on_the_page_records_a_warning(actor, moderator_client, mfa_moderator):
    sanction(moderator_client, actor, "warn", "Be polite.")
    warning = Sanction.objects.get(user=actor)
    assert (warning.kind, warning.reason, warning.given_by) == (Sanction.Kind.WARNING, "Be polite.", mfa_moderator)
    assert Notification.objects.get(recipient=actor, kind=kinds.USER_WARNED.key).params == {"reason": "Be polite."}
    page = moderator_client.get(f"/moderation/users/{actor.pk}/").content.decode()
    assert "Be polite." in page


def test_hiding_the_actor_on_the_page_takes_them_off_the_roster(listed, actor, creator, moderator_client):
    sanction(moderator_client, actor, "hide_actor")
    browsing = Client()
    browsing.force_login(creator)
    assert browsing.get(f"/roster/{listed.slug}/").status_code == 404
    assert listed not in listed_actors()


def test_hiding_the_creator_on_the_page_removes_their_page(creator, actor, moderator_client):
    sanction(moderator_client, creator, "hide_creator")
    browsing = Client()
    browsing.force_login(actor)
    assert browsing.get(f"/creators/{creator.creator_profile.pk}/").status_code == 404


def test_suspending_on_the_page_ends_the_users_session(actor, moderator_client):
    victim = signed_in(actor)
    assert sanction(moderator_client, actor, "suspend").status_code == 302
    assert victim.get("/notifications/").status_code == 302
    assert not UserSession.objects.filter(user=actor).exists()


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize("action", ["warn", "suspend", "hide_actor"])
def test_a_sanction_without_a_reason_is_400_and_changes_nothing(action, reason, both_roles, moderator_client):
    before = state_of(both_roles)
    response = sanction(moderator_client, both_roles, action, reason)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert state_of(both_roles) == before


def test_an_unknown_sanction_is_400_and_changes_nothing(actor, moderator_client):
    before = state_of(actor)
    response = sanction(moderator_client, actor, "delete_forever")
    assert response.status_code == 400
    assert state_of(actor) == before


def test_a_reason_with_control_characters_is_400(actor, moderator_client):
    before = state_of(actor)
    response = sanction(moderator_client, actor, "suspend", "Abuse\x07")
    assert response.status_code == 400
    assert state_of(actor) == before


ILLEGAL = [
    # action, set-up, message
    ("reinstate", None, "This account is not suspended."),
    ("suspend", _suspended, "This account is already suspended."),
    ("hide_actor", _hidden("actor"), "This profile is already hidden."),
    ("show_actor", None, "This profile is not hidden."),
    ("hide_creator", _hidden("creator"), "This profile is already hidden."),
    ("show_creator", None, "This profile is not hidden."),
]


@pytest.mark.parametrize(("action", "setup", "message"), ILLEGAL, ids=[f"{a[0]}-{a[2]}" for a in ILLEGAL])
def test_an_illegal_sanction_is_409_with_the_reason_and_changes_nothing(
    action, setup, message, both_roles, other_moderator, moderator_client
):
    if setup is not None:
        setup(both_roles, other_moderator)
    before = state_of(both_roles)
    response = sanction(moderator_client, both_roles, action)
    assert response.status_code == 409
    assert message in response.content.decode()
    assert state_of(both_roles) == before


def test_hiding_a_profile_the_user_does_not_have_is_409(creator, moderator_client):
    before = state_of(creator)
    response = sanction(moderator_client, creator, "hide_actor")
    assert response.status_code == 409
    assert state_of(creator) == before


def test_a_moderator_cannot_suspend_themselves_on_the_page(mfa_moderator, moderator_client):
    response = sanction(moderator_client, mfa_moderator, "suspend")
    assert response.status_code == 409
    assert "You cannot suspend your own account." in response.content.decode()
    mfa_moderator.refresh_from_db()
    assert mfa_moderator.suspended_at is None
    assert moderator_client.get("/moderation/").status_code == 200


@pytest.mark.parametrize("action", [a[0] for a in PAGE_ACTIONS])
def test_a_sanction_without_a_recent_sign_in_asks_to_reauthenticate(
    action, both_roles, client, mfa_moderator, other_moderator
):
    setup = {a[0]: a[1] for a in PAGE_ACTIONS}[action]
    if setup is not None:
        setup(both_roles, other_moderator)
    client.force_login(mfa_moderator)
    mark_recently_authenticated(client, mfa_moderator, seconds_ago=3600)
    before = state_of(both_roles)
    response = sanction(client, both_roles, action)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    assert state_of(both_roles) == before


def test_a_sign_in_within_the_timeout_is_recent_enough(actor, client, mfa_moderator):
    client.force_login(mfa_moderator)
    mark_recently_authenticated(client, mfa_moderator, seconds_ago=300)
    assert sanction(client, actor, "warn").status_code == 302
    assert Sanction.objects.filter(user=actor).exists()


def test_the_user_page_shows_the_account_its_profiles_and_its_history(both_roles, moderator_client, mfa_moderator):
    suspend(both_roles, mfa_moderator, reason="Harassed other users.")
    page = moderator_client.get(f"/moderation/users/{both_roles.pk}/").content.decode()
    assert both_roles.email in page
    assert "Suspended" in page
    assert "Lin Xiaoyu" in page
    assert "Lin Films" in page
    assert "Harassed other users." in page
    assert f"/moderation/users/{both_roles.pk}/sanction/" in page


@pytest.mark.parametrize("persona", ["anonymous", "actor", "creator"])
def test_outsiders_cannot_sanction(persona, request, client, other_actor):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    before = state_of(other_actor)
    assert sanction(client, other_actor, "suspend").status_code == 404
    assert state_of(other_actor) == before


def test_sanctioning_an_unknown_user_is_404(moderator_client):
    assert sanction(moderator_client, User(pk=999999), "warn").status_code == 404
