"""Reports: a signed-in user reports a profile, a moderator hides it,
suspends the account or dismisses the report; and the queue of photos
flagged as resembling another actor's."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from actors.models import ActorProfile, AssetAccess, LikenessPhoto
from actors.selectors import listed_actors
from actors.tests.factories import list_on_roster, photo_for
from creators.models import CreatorProfile
from marketplace.exceptions import InvalidTransition
from marketplace.models import AuditEvent, Notification, User
from moderation import notifications as kinds
from moderation.models import Claim, Report, ReportStatus, Sanction
from moderation.services import item_claim, photo_flag_decide, profile_hide, report_decide, report_file
from moderation.services.reports import ReportRefused
from moderation.tests.conftest import mark_recently_authenticated

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
GOOD = {"reason": "impersonation", "description": "These photos are of my sister, not of this person."}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def notified(user, kind) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind.key).exists()


@pytest.fixture
def listed(actor) -> ActorProfile:
    return list_on_roster(actor.actor_profile)


def actor_report_url(profile: ActorProfile) -> str:
    return f"/roster/{profile.slug}/report/"


def creator_report_url(user) -> str:
    return f"/creators/{user.creator_profile.pk}/report/"


# --- Filing a report ---------------------------------------------------------------


def test_a_creator_reports_a_listed_actor(listed, actor, creator):
    client = client_for(creator)
    form = client.get(actor_report_url(listed))
    assert form.status_code == 200
    assert "Report Lin Xiaoyu" in form.content.decode()
    response = client.post(actor_report_url(listed), GOOD)
    assert response.status_code == 302
    assert response.url == f"/roster/{listed.slug}/"
    assert flash(response) == ["Thank you. A moderator will review your report."]
    report = Report.objects.get()
    assert (report.reporter, report.reported_user, report.profile_kind) == (creator, actor, "actor")
    assert report.reason == "impersonation"
    assert report.description == GOOD["description"]
    assert report.status == ReportStatus.OPEN


def test_an_actor_reports_a_creator(actor, creator):
    client = client_for(actor)
    assert client.get(creator_report_url(creator)).status_code == 200
    response = client.post(creator_report_url(creator), {"reason": "abuse", "description": "  Insulting messages.  "})
    assert response.status_code == 302
    assert response.url == f"/creators/{creator.creator_profile.pk}/"
    report = Report.objects.get()
    assert (report.reporter, report.reported_user, report.profile_kind) == (actor, creator, "creator")
    assert report.description == "Insulting messages."


def test_the_reported_user_is_not_told(listed, actor, creator):
    Notification.objects.all().delete()
    client_for(creator).post(actor_report_url(listed), GOOD)
    assert not Notification.objects.filter(recipient=actor).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(method, client, listed, creator):
    for url in (actor_report_url(listed), creator_report_url(creator)):
        response = getattr(client, method)(url, GOOD if method == "post" else None)
        assert response.status_code == 302, url
        assert response.url.startswith(LOGIN), url
    assert not Report.objects.exists()


def test_an_unlisted_actor_cannot_be_reported(actor, creator):
    assert not actor.actor_profile.is_listed
    client = client_for(creator)
    assert client.get(actor_report_url(actor.actor_profile)).status_code == 404
    assert client.post(actor_report_url(actor.actor_profile), GOOD).status_code == 404
    assert not Report.objects.exists()


def test_an_unknown_profile_cannot_be_reported(actor, creator):
    client = client_for(creator)
    assert client.post("/roster/no-such-actor/report/", GOOD).status_code == 404
    assert client_for(actor).post("/creators/999999/report/", GOOD).status_code == 404
    assert not Report.objects.exists()


def test_a_hidden_creator_cannot_be_reported(actor, creator):
    CreatorProfile.objects.filter(user=creator).update(hidden_at="2025-01-01T00:00:00Z")
    assert client_for(actor).post(creator_report_url(creator), GOOD).status_code == 404
    assert not Report.objects.exists()


def test_reporting_the_wrong_method_is_405(listed, creator):
    assert client_for(creator).put(actor_report_url(listed)).status_code == 405


def test_reporting_oneself_is_refused(listed, actor, creator):
    response = client_for(actor).post(actor_report_url(listed), GOOD)
    assert response.status_code == 400
    assert "You cannot report your own profile." in response.content.decode()
    response = client_for(creator).post(creator_report_url(creator), GOOD)
    assert response.status_code == 400
    assert "You cannot report your own profile." in response.content.decode()
    assert not Report.objects.exists()


def test_a_second_open_report_on_the_same_profile_is_refused(listed, creator):
    client = client_for(creator)
    client.post(actor_report_url(listed), GOOD)
    response = client.post(actor_report_url(listed), {"reason": "abuse", "description": "And another thing here."})
    assert response.status_code == 400
    assert "You already reported this profile." in response.content.decode()
    assert Report.objects.count() == 1


def test_after_a_decision_the_same_profile_can_be_reported_again(listed, actor, creator, mfa_moderator):
    client = client_for(creator)
    client.post(actor_report_url(listed), GOOD)
    report_decide(report=Report.objects.get(), by=mfa_moderator, action="dismiss", resolution="Not enough.")
    assert client.post(actor_report_url(listed), GOOD).status_code == 302
    assert Report.objects.count() == 2


def test_another_reporter_may_report_the_same_profile(listed, creator, other_creator):
    client_for(creator).post(actor_report_url(listed), GOOD)
    assert client_for(other_creator).post(actor_report_url(listed), GOOD).status_code == 302
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "abuse", "description": "Too short"}, "at least 10 characters"),
        ({"reason": "abuse", "description": ""}, "This field is required."),
        (
            {"reason": "abuse", "description": "Bad \x07 characters in here"},
            "The text contains invisible or control characters.",
        ),
        ({"reason": "abuse", "description": "Null \x00 character in here"}, "Null characters are not allowed."),
        ({"reason": "spam", "description": "A long enough description."}, "Select a valid choice."),
        ({"reason": "abuse", "description": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_a_bad_report_is_a_form_error_and_files_nothing(data, error, listed, creator):
    response = client_for(creator).post(actor_report_url(listed), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Report.objects.exists()


def test_too_many_reports_in_an_hour_are_429_with_retry_after(settings, listed, other_actor, creator):
    settings.REPORTS_PER_HOUR = 2
    other = list_on_roster(other_actor.actor_profile)
    client = client_for(creator)
    assert client.post(actor_report_url(listed), GOOD).status_code == 302
    assert client.post(actor_report_url(other), GOOD).status_code == 302
    response = client.post(creator_report_url(creator), GOOD)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Report.objects.count() == 2


def test_the_rate_limit_counts_per_reporter(settings, listed, creator, other_creator):
    settings.REPORTS_PER_HOUR = 1
    assert client_for(creator).post(actor_report_url(listed), GOOD).status_code == 302
    assert client_for(other_creator).post(actor_report_url(listed), GOOD).status_code == 302
    assert client_for(creator).post(actor_report_url(listed), GOOD).status_code == 429


def test_the_service_refuses_a_missing_profile(actor, newcomer):
    with pytest.raises(ReportRefused):
        report_file(reporter=actor, reported_user=newcomer, profile_kind="creator", reason="abuse", description="x")
    assert not Report.objects.exists()


# --- Deciding a report -----------------------------------------------------------------


def report_on(reporter, reported, kind: str) -> Report:
    return report_file(
        reporter=reporter, reported_user=reported, profile_kind=kind, reason="abuse", description="Rude and insulting."
    )


def decide(client, report, action: str, resolution: str = "Confirmed by the messages."):
    return client.post(f"/moderation/reports/{report.pk}/decide/", {"action": action, "resolution": resolution})


def report_state(report: Report) -> dict:
    report = Report.objects.get(pk=report.pk)
    user = User.objects.get(pk=report.reported_user_id)
    actor = ActorProfile.objects.filter(user=user).first()
    creator = CreatorProfile.objects.filter(user=user).first()
    return {
        "status": report.status,
        "action": report.action,
        "decided_by": report.decided_by_id,
        "suspended": user.suspended_at,
        "actor_hidden": actor.hidden_at if actor else None,
        "creator_hidden": creator.hidden_at if creator else None,
        "sanctions": Sanction.objects.count(),
        "notifications": Notification.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="moderation.").count(),
    }


@pytest.fixture
def actor_report(listed, actor, creator) -> Report:
    return report_on(creator, actor, "actor")


@pytest.fixture
def creator_report(actor, creator) -> Report:
    return report_on(actor, creator, "creator")


def test_hiding_a_reported_actor_takes_them_off_the_roster(
    actor_report, listed, actor, creator, mfa_moderator, moderator_client
):
    item_claim(item=actor_report, moderator=mfa_moderator)
    response = decide(moderator_client, actor_report, "hide_profile")
    assert response.status_code == 302
    assert response.url == "/moderation/reports/"
    actor_report.refresh_from_db()
    assert actor_report.status == ReportStatus.ACTIONED
    assert actor_report.action == "hide_profile"
    assert actor_report.decided_by == mfa_moderator
    assert actor_report.resolution == "Confirmed by the messages."
    listed.refresh_from_db()
    assert listed.hidden_at is not None
    assert listed not in listed_actors()
    assert client_for(creator).get(f"/roster/{listed.slug}/").status_code == 404
    actor.refresh_from_db()
    assert actor.suspended_at is None
    assert notified(actor, kinds.PROFILE_HIDDEN)
    assert not Claim.objects.exists()


def test_hiding_a_reported_creator_removes_their_page(creator_report, actor, creator, moderator_client):
    assert decide(moderator_client, creator_report, "hide_profile").status_code == 302
    assert client_for(actor).get(f"/creators/{creator.creator_profile.pk}/").status_code == 404
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROFILE_HIDDEN)
    assert event.data["report"] == creator_report.pk
    assert event.data["profile"] == "creator"


def test_suspending_from_a_report_suspends_the_account(
    actor_report, listed, actor, creator, mfa_moderator, moderator_client
):
    victim = client_for(actor)
    assert decide(moderator_client, actor_report, "suspend_account").status_code == 302
    actor.refresh_from_db()
    assert actor.suspended_at is not None
    sanction = Sanction.objects.get()
    assert (sanction.user, sanction.kind, sanction.report) == (actor, Sanction.Kind.SUSPENSION, actor_report)
    assert sanction.reason == "Confirmed by the messages."
    assert listed not in listed_actors()
    assert notified(actor, kinds.ACCOUNT_SUSPENDED)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_SUSPENDED).count() == 1
    assert victim.get("/notifications/").status_code == 302
    actor_report.refresh_from_db()
    assert actor_report.action == "suspend_account"


def test_dismissing_a_report_changes_nothing_for_the_reported_user(
    actor_report, listed, actor, mfa_moderator, moderator_client
):
    assert decide(moderator_client, actor_report, "dismiss", "Nothing wrong here.").status_code == 302
    actor_report.refresh_from_db()
    assert actor_report.status == ReportStatus.DISMISSED
    assert actor_report.action == "dismiss"
    actor.refresh_from_db()
    listed.refresh_from_db()
    assert actor.suspended_at is None
    assert listed.hidden_at is None
    assert listed in listed_actors()
    assert not Sanction.objects.exists()
    assert not Notification.objects.filter(recipient=actor).exists()


@pytest.mark.parametrize(
    ("action", "audited"),
    [
        ("hide_profile", AuditEvent.Action.REPORT_ACTIONED),
        ("suspend_account", AuditEvent.Action.REPORT_ACTIONED),
        ("dismiss", AuditEvent.Action.REPORT_DISMISSED),
    ],
)
def test_every_decision_tells_the_reporter_and_is_audited(
    action, audited, actor_report, actor, creator, mfa_moderator, moderator_client
):
    assert decide(moderator_client, actor_report, action).status_code == 302
    note = Notification.objects.get(recipient=creator, kind=kinds.REPORT_DECIDED.key)
    assert note.params == {"id": actor_report.pk}
    event = AuditEvent.objects.get(action=audited)
    assert event.actor == mfa_moderator
    assert event.target == f"moderation.report:{actor_report.pk}"
    assert event.data == {"action": action, "reported_user": actor.pk, "resolution": "Confirmed by the messages."}


def test_a_decision_on_a_report_whose_reporter_is_gone_tells_nobody(actor_report, creator, moderator_client):
    Report.objects.filter(pk=actor_report.pk).update(reporter=None)
    assert decide(moderator_client, actor_report, "dismiss").status_code == 302
    assert not Notification.objects.filter(kind=kinds.REPORT_DECIDED.key).exists()


@pytest.mark.parametrize("first", ["hide_profile", "suspend_account", "dismiss"])
def test_a_second_decision_is_409_and_changes_nothing(first, actor_report, other_moderator, moderator_client):
    report_decide(report=actor_report, by=other_moderator, action=first, resolution="First decision.")
    before = report_state(actor_report)
    response = decide(moderator_client, actor_report, "suspend_account" if first != "suspend_account" else "dismiss")
    assert response.status_code == 409
    assert "already decided by another moderator" in response.content.decode()
    assert report_state(actor_report) == before
    actor_report.refresh_from_db()
    assert actor_report.resolution == "First decision."


def test_hiding_an_already_hidden_profile_is_409_and_leaves_the_report_open(
    actor_report, listed, creator, mfa_moderator, moderator_client
):
    ActorProfile.objects.filter(pk=listed.pk).update(hidden_at="2025-01-01T00:00:00Z")
    item_claim(item=actor_report, moderator=mfa_moderator)
    before = report_state(actor_report)
    response = decide(moderator_client, actor_report, "hide_profile")
    assert response.status_code == 409
    assert "This profile is already hidden." in response.content.decode()
    assert report_state(actor_report) == before
    assert report_state(actor_report)["status"] == ReportStatus.OPEN
    assert not notified(creator, kinds.REPORT_DECIDED)
    assert Claim.objects.filter(object_id=actor_report.pk).exists()


def test_suspending_an_already_suspended_account_is_409_and_leaves_the_report_open(
    actor_report, actor, other_moderator, moderator_client
):
    from moderation.services import user_suspend

    user_suspend(user=actor, by=other_moderator, reason="Earlier case.")
    before = report_state(actor_report)
    response = decide(moderator_client, actor_report, "suspend_account")
    assert response.status_code == 409
    assert "This account is already suspended." in response.content.decode()
    assert report_state(actor_report) == before


@pytest.mark.parametrize(
    "data",
    [
        {"action": "dismiss", "resolution": ""},
        {"action": "dismiss", "resolution": "   "},
        {"action": "delete_account", "resolution": "Bad."},
        {"action": "hide_profile", "resolution": "Bad \x07"},
        {"resolution": "No action."},
    ],
)
def test_a_bad_decision_is_400_and_changes_nothing(data, actor_report, moderator_client):
    before = report_state(actor_report)
    response = moderator_client.post(f"/moderation/reports/{actor_report.pk}/decide/", data)
    assert response.status_code == 400
    assert report_state(actor_report) == before


def test_the_service_refuses_an_empty_resolution(actor_report, mfa_moderator):
    with pytest.raises(InvalidTransition):
        report_decide(report=actor_report, by=mfa_moderator, action="dismiss", resolution="  ")
    assert Report.objects.get().status == ReportStatus.OPEN


def test_deciding_without_a_recent_sign_in_asks_to_reauthenticate(actor_report, client, mfa_moderator):
    client.force_login(mfa_moderator)
    mark_recently_authenticated(client, mfa_moderator, seconds_ago=3600)
    before = report_state(actor_report)
    response = decide(client, actor_report, "suspend_account")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    assert report_state(actor_report) == before


def test_deciding_an_unknown_report_is_404(moderator_client):
    assert (
        moderator_client.post(
            "/moderation/reports/999999/decide/", {"action": "dismiss", "resolution": "x"}
        ).status_code
        == 404
    )
    assert moderator_client.get("/moderation/reports/999999/").status_code == 404


def test_deciding_takes_only_post(actor_report, moderator_client):
    assert moderator_client.get(f"/moderation/reports/{actor_report.pk}/decide/").status_code == 405


def test_the_report_page_shows_the_report_and_the_decision_form(actor_report, actor, creator, moderator_client):
    page = moderator_client.get(f"/moderation/reports/{actor_report.pk}/").content.decode()
    assert "Rude and insulting." in page
    assert actor.email in page
    assert creator.email in page
    assert "Lin Xiaoyu" in page
    assert f"/moderation/reports/{actor_report.pk}/decide/" in page
    assert f"/moderation/claim/report/{actor_report.pk}/" in page


# --- The reports queue ------------------------------------------------------------------


def test_the_queue_lists_open_reports_only(actor_report, creator_report, other_moderator, moderator_client):
    report_decide(report=creator_report, by=other_moderator, action="dismiss", resolution="Fine.")
    item_claim(item=actor_report, moderator=other_moderator)
    response = moderator_client.get("/moderation/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-report="{actor_report.pk}"' in page
    assert f'data-report="{creator_report.pk}"' not in page
    assert other_moderator.email in page


def test_the_queue_lists_the_oldest_first(actor_report, creator_report, moderator_client):
    page = moderator_client.get("/moderation/reports/").content.decode()
    assert page.index(f'data-report="{actor_report.pk}"') < page.index(f'data-report="{creator_report.pk}"')


def test_the_queue_says_when_nothing_waits(moderator_client):
    assert "No open reports." in moderator_client.get("/moderation/reports/").content.decode()


def test_the_queue_query_count_does_not_grow_with_rows(
    actor, other_actor, creator, other_moderator, moderator_client, django_assert_max_num_queries
):
    def add_report():
        reporter = User.objects.create_user(email=f"r{Report.objects.count()}@example.com", password="x" * 12)
        report = report_on(reporter, creator, "creator")
        item_claim(item=report, moderator=other_moderator)

    add_report()
    moderator_client.get("/moderation/reports/")
    with CaptureQueriesContext(connection) as one:
        assert moderator_client.get("/moderation/reports/").status_code == 200
    for _ in range(9):
        add_report()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = moderator_client.get("/moderation/reports/")
    assert len(re.findall(r'data-report="\d+"', response.content.decode())) == 10


# --- Flagged photos ----------------------------------------------------------------------


@pytest.fixture
def resembled(other_actor) -> LikenessPhoto:
    return photo_for(list_on_roster(other_actor.actor_profile))


@pytest.fixture
def flagged(listed, resembled) -> LikenessPhoto:
    photo = photo_for(listed)
    LikenessPhoto.objects.filter(pk=photo.pk).update(review=LikenessPhoto.Review.FLAGGED, similar_to=resembled)
    photo.refresh_from_db()
    return photo


def preview_url(photo: LikenessPhoto, purpose: str = "") -> str:
    url = f"/actors/photos/{photo.pk}/preview/"
    return f"{url}?purpose={purpose}" if purpose else url


def photo_decide(client, photo, decision: str, reason: str = ""):
    return client.post(f"/moderation/photos/{photo.pk}/decide/", {"decision": decision, "reason": reason})


def photo_state(photo: LikenessPhoto) -> dict:
    return {
        "review": LikenessPhoto.objects.get(pk=photo.pk).review,
        "notifications": Notification.objects.count(),
        "audit": AuditEvent.objects.filter(
            action__in=[AuditEvent.Action.PHOTO_CLEARED, AuditEvent.Action.PHOTO_REJECTED]
        ).count(),
    }


def test_the_photo_queue_shows_the_flagged_photo_beside_the_one_it_resembles(
    flagged, resembled, other_moderator, moderator_client
):
    item_claim(item=flagged, moderator=other_moderator)
    response = moderator_client.get("/moderation/photos/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-photo="{flagged.pk}"' in page
    assert f'src="{preview_url(flagged, f"flag:{flagged.pk}")}"' in page
    assert f'src="{preview_url(resembled, f"flag:{flagged.pk}")}"' in page
    assert "Lin Xiaoyu" in page
    assert "陈思远" in page
    assert other_moderator.email in page
    assert f'id="id_photo{flagged.pk}_decision_0"' in page


def test_the_photo_queue_lists_only_flagged_photos(flagged, resembled, moderator_client):
    page = moderator_client.get("/moderation/photos/").content.decode()
    assert f'data-photo="{resembled.pk}"' not in page
    assert len(re.findall(r'data-photo="\d+"', page)) == 1


@pytest.mark.parametrize("which", ["flagged", "resembled"])
def test_a_moderator_with_totp_opens_both_previews_and_the_actor_sees_why(
    which, request, flagged, mfa_moderator, moderator_client
):
    photo = request.getfixturevalue(which)
    response = moderator_client.get(preview_url(photo, f"flag:{flagged.pk}"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    access = AssetAccess.objects.get(photo=photo)
    assert access.actor_id == photo.actor_id
    assert access.viewer == mfa_moderator
    assert access.viewer_role == "moderator"
    assert access.outcome == AssetAccess.Outcome.GRANTED
    assert access.purpose == f"flag:{flagged.pk}"


def test_a_moderator_without_a_matching_purpose_gets_no_preview(flagged, resembled, other_actor, moderator_client):
    unrelated = photo_for(other_actor.actor_profile)
    assert moderator_client.get(preview_url(flagged)).status_code == 404
    assert moderator_client.get(preview_url(unrelated, f"flag:{flagged.pk}")).status_code == 404
    assert moderator_client.get(preview_url(flagged, "flag:999999")).status_code == 404
    assert AssetAccess.objects.filter(outcome=AssetAccess.Outcome.DENIED).count() == 3


def test_a_moderator_without_totp_gets_no_preview(flagged, client, moderator):
    client.force_login(moderator)
    assert client.get(preview_url(flagged, f"flag:{flagged.pk}")).status_code == 404


def test_clearing_a_photo_shows_it_again_tells_the_actor_and_is_audited(
    flagged, actor, creator, mfa_moderator, moderator_client
):
    item_claim(item=flagged, moderator=mfa_moderator)
    assert client_for(creator).get(preview_url(flagged)).status_code == 404
    response = photo_decide(moderator_client, flagged, "clear")
    assert response.status_code == 302
    assert response.url == "/moderation/photos/"
    assert flash(response) == [f"Photo #{flagged.pk} decided."]
    flagged.refresh_from_db()
    assert flagged.review == LikenessPhoto.Review.CLEARED
    assert notified(actor, kinds.PHOTO_CLEARED)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PHOTO_CLEARED)
    assert event.actor == mfa_moderator
    assert event.target == f"actors.likenessphoto:{flagged.pk}"
    assert event.data["similar_to"] == flagged.similar_to_id
    assert not Claim.objects.exists()
    assert client_for(creator).get(preview_url(flagged)).status_code == 200
    assert f'data-photo="{flagged.pk}"' not in moderator_client.get("/moderation/photos/").content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_is_refused_with_a_message(reason, flagged, moderator_client):
    before = photo_state(flagged)
    response = photo_decide(moderator_client, flagged, "reject", reason)
    assert response.status_code == 302
    assert flash(response) == ["Write the reason: the actor is told it."]
    assert photo_state(flagged) == before


def test_rejecting_with_a_reason_hides_the_photo_for_good(flagged, actor, creator, mfa_moderator, moderator_client):
    LikenessPhoto.objects.filter(pk=flagged.pk).update(review=LikenessPhoto.Review.CLEAR)
    assert client_for(creator).get(preview_url(flagged)).status_code == 200
    LikenessPhoto.objects.filter(pk=flagged.pk).update(review=LikenessPhoto.Review.FLAGGED)
    response = photo_decide(moderator_client, flagged, "reject", "This is Chen Siyuan's photo.")
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.review == LikenessPhoto.Review.REJECTED
    note = Notification.objects.get(recipient=actor, kind=kinds.PHOTO_REJECTED.key)
    assert note.params == {"reason": "This is Chen Siyuan's photo."}
    event = AuditEvent.objects.get(action=AuditEvent.Action.PHOTO_REJECTED)
    assert event.data["reason"] == "This is Chen Siyuan's photo."
    assert client_for(creator).get(preview_url(flagged)).status_code == 404
    assert client_for(creator).get(f"/actors/photos/{flagged.pk}/thumbnail/").status_code == 404
    # The purpose no longer opens it to moderators either: the flag is decided.
    assert moderator_client.get(preview_url(flagged, f"flag:{flagged.pk}")).status_code == 404


@pytest.mark.parametrize("second", ["clear", "reject"])
def test_deciding_a_photo_twice_is_refused_and_changes_nothing(second, flagged, other_moderator, moderator_client):
    photo_flag_decide(photo=flagged, by=other_moderator, clear=True)
    before = photo_state(flagged)
    response = photo_decide(moderator_client, flagged, second, "Second opinion.")
    assert response.status_code == 302
    assert flash(response) == ["This photo was already decided by another moderator."]
    assert photo_state(flagged) == before
    assert before["review"] == LikenessPhoto.Review.CLEARED


def test_an_unknown_photo_decision_is_refused(flagged, moderator_client):
    before = photo_state(flagged)
    response = photo_decide(moderator_client, flagged, "approve")
    assert response.status_code == 302
    assert flash(response)
    assert photo_state(flagged) == before


def test_deciding_a_photo_without_a_recent_sign_in_asks_to_reauthenticate(flagged, client, mfa_moderator):
    client.force_login(mfa_moderator)
    mark_recently_authenticated(client, mfa_moderator, seconds_ago=3600)
    before = photo_state(flagged)
    response = photo_decide(client, flagged, "reject", "Someone else.")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    assert photo_state(flagged) == before


def test_deciding_an_unknown_photo_is_404(moderator_client):
    assert moderator_client.post("/moderation/photos/999999/decide/", {"decision": "clear"}).status_code == 404


def test_the_photo_queue_query_count_does_not_grow_with_rows(
    listed, resembled, other_moderator, moderator_client, django_assert_max_num_queries
):
    def add_flagged():
        photo = photo_for(listed)
        LikenessPhoto.objects.filter(pk=photo.pk).update(review=LikenessPhoto.Review.FLAGGED, similar_to=resembled)
        item_claim(item=photo, moderator=other_moderator)

    add_flagged()
    moderator_client.get("/moderation/photos/")
    with CaptureQueriesContext(connection) as one:
        assert moderator_client.get("/moderation/photos/").status_code == 200
    for _ in range(4):
        add_flagged()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = moderator_client.get("/moderation/photos/")
    assert len(re.findall(r'data-photo="\d+"', response.content.decode())) == 5


# --- Claims are respected -----------------------------------------------------------


def test_a_report_taken_by_another_moderator_cannot_be_decided(actor_report, other_moderator, moderator_client):
    item_claim(item=actor_report, moderator=other_moderator)
    before = report_state(actor_report)
    response = decide(moderator_client, actor_report, "hide_profile")
    assert response.status_code == 409
    assert "second.moderator@example.com has taken this item" in response.content.decode()
    assert report_state(actor_report) == before


def test_a_decided_report_cannot_be_taken(actor_report, other_moderator, moderator_client):
    report_decide(report=actor_report, by=other_moderator, action="dismiss", resolution="Nothing wrong.")
    response = moderator_client.post(f"/moderation/claim/report/{actor_report.pk}/")
    assert response.status_code == 404
    assert not Claim.objects.exists()


def test_hiding_a_profile_the_user_does_not_have_says_so(creator, mfa_moderator):
    with pytest.raises(InvalidTransition, match="no such profile"):
        profile_hide(user=creator, profile_kind="actor", by=mfa_moderator, reason="Impersonation.")
