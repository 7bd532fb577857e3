"""Disputes: a party opens one (suspending the active contract), both sides
and the moderators talk on its thread, a moderator decides; outsiders see
nothing, parties never see internal notes, and two moderators deciding at
once leave one decision."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from actors.tests.factories import image_upload, photo_for, upload_of
from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.models import AuditEvent, Notification
from moderation import notifications as kinds
from moderation.models import (
    Claim,
    Dispute,
    DisputeEvent,
    DisputeEvidence,
    DisputeMessage,
    DisputeStatus,
    Sanction,
)
from moderation.selectors import dispute_thread, disputes_for_user
from moderation.services.claims import item_claim
from moderation.services.disputes import (
    DuplicateOpenDispute,
    dispute_message_post,
    dispute_open,
    dispute_take_into_review,
)
from moderation.services.outcomes import dispute_dismiss, dispute_resolve
from moderation.tests.conftest import mark_recently_authenticated
from tests.race import race
from usage_requests.models import Contract, ContractStatus, RequestStatus, UsageRequest
from usage_requests.tests.factories import active_contract, open_actor, send_request

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def contract(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_on(contract: Contract, by, **extra) -> Dispute:
    fields = {"category": "beyond_shots", "description": "Used in a shot I vetoed.", **extra}
    return dispute_open(usage_request=contract.request, by=by, **fields)


def evidence_files(root: Path) -> list[Path]:
    folder = root / "moderation" / "evidence"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def notified(user, kind) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind.key).exists()


# --- Opening ---------------------------------------------------------------


@pytest.mark.parametrize("opener", ["actor", "creator"])
def test_a_party_opens_a_dispute_which_suspends_the_contract_and_tells_the_other(
    opener, request, contract, actor, creator, media_root
):
    by = request.getfixturevalue(opener)
    other = creator if opener == "actor" else actor
    response = client_for(by).post(
        f"/requests/{contract.request_id}/dispute/",
        {
            "category": "training",
            "description": "They trained a model on my face.",
            "evidence": [image_upload("screen.png", "PNG")],
        },
    )
    dispute = Dispute.objects.get(usage_request=contract.request)
    assert response.status_code == 302
    assert response.url == f"/disputes/{dispute.pk}/"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    assert dispute.suspended_contract
    assert dispute.contract_id == contract.pk
    assert dispute.opened_by_party == opener
    assert list(dispute.events.values_list("kind", flat=True)) == ["opened", "evidence", "suspended"]
    evidence = dispute.evidence.get()
    assert evidence.image.name.startswith(f"moderation/evidence/{dispute.pk}/")
    assert "screen" not in evidence.image.name
    assert notified(other, kinds.DISPUTE_OPENED)
    assert not notified(by, kinds.DISPUTE_OPENED)
    verify = Client().get(f"/verify/{contract.licence_code}/")
    assert "Not in force: under dispute" in verify.content.decode()


def test_a_dispute_on_a_pending_request_has_no_contract_to_suspend(actor, creator):
    pending = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    dispute = dispute_open(usage_request=pending, by=actor, category="harassment", description="Rude messages.")
    assert dispute.contract_id is None
    assert not dispute.suspended_contract
    assert notified(creator, kinds.DISPUTE_OPENED)


def test_the_dispute_form_opens_for_a_party(contract, actor):
    response = client_for(actor).get(f"/requests/{contract.request_id}/dispute/")
    assert response.status_code == 200
    assert 'name="description"' in response.content.decode()


def test_request_and_contract_pages_offer_a_dispute_and_link_the_open_one(contract, creator):
    client = client_for(creator)
    assert f"/requests/{contract.request_id}/dispute/" in client.get(f"/contracts/{contract.pk}/").content.decode()
    assert (
        f"/requests/{contract.request_id}/dispute/" in client.get(f"/requests/{contract.request_id}/").content.decode()
    )
    dispute = open_on(contract, creator)
    assert f"/disputes/{dispute.pk}/" in client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f"/disputes/{dispute.pk}/" in client.get(f"/requests/{contract.request_id}/").content.decode()


def test_a_second_open_dispute_on_the_request_is_refused_and_names_the_first(contract, actor, creator):
    first = open_on(contract, actor)
    with pytest.raises(DuplicateOpenDispute) as refused:
        open_on(contract, creator)
    assert refused.value.dispute_id == first.pk
    assert f"#{first.pk}" in refused.value.message
    assert Dispute.objects.count() == 1
    response = client_for(creator).get(f"/requests/{contract.request_id}/dispute/")
    assert response.status_code == 302
    assert response.url == f"/disputes/{first.pk}/"
    response = client_for(creator).post(
        f"/requests/{contract.request_id}/dispute/", {"category": "other", "description": "Again"}
    )
    assert response.status_code == 302
    assert response.url == f"/disputes/{first.pk}/"
    assert Dispute.objects.count() == 1


def test_a_bad_evidence_file_refuses_the_dispute_and_stores_nothing(contract, actor, media_root):
    response = client_for(actor).post(
        f"/requests/{contract.request_id}/dispute/",
        {
            "category": "other",
            "description": "See the images.",
            "evidence": [image_upload("fine.jpg"), upload_of("bad.jpg", b"<html><script>alert(1)</script>")],
        },
    )
    assert response.status_code == 400
    assert "bad.jpg" in response.content.decode()
    assert not Dispute.objects.exists()
    assert not DisputeEvidence.objects.exists()
    assert evidence_files(media_root) == []
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_too_many_evidence_images_are_refused(contract, actor, media_root):
    with pytest.raises(ValidationError) as refused:
        open_on(contract, actor, evidence=[image_upload(f"{n}.jpg") for n in range(7)])
    assert "6" in str(refused.value)
    assert not Dispute.objects.exists()
    assert evidence_files(media_root) == []


def test_an_empty_description_is_refused(contract, actor):
    response = client_for(actor).post(
        f"/requests/{contract.request_id}/dispute/", {"category": "other", "description": "   "}
    )
    assert response.status_code == 400
    assert not Dispute.objects.exists()


def test_only_a_party_may_open_a_dispute(contract, other_actor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        open_on(contract, other_actor)


# --- Who sees what -----------------------------------------------------------


@pytest.fixture
def dispute(contract, actor) -> Dispute:
    return open_on(contract, actor, evidence=[image_upload()])


def party_urls(dispute: Dispute) -> list[tuple[str, str]]:
    evidence = dispute.evidence.first()
    return [
        ("get", f"/requests/{dispute.usage_request_id}/dispute/"),
        ("post", f"/requests/{dispute.usage_request_id}/dispute/"),
        ("get", f"/disputes/{dispute.pk}/"),
        ("post", f"/disputes/{dispute.pk}/messages/"),
        ("post", f"/disputes/{dispute.pk}/evidence/"),
        ("get", f"/disputes/{dispute.pk}/evidence/{evidence.pk}/"),
    ]


def moderator_urls(dispute: Dispute) -> list[tuple[str, str]]:
    return [
        ("get", "/moderation/disputes/"),
        ("post", f"/moderation/disputes/{dispute.pk}/review/"),
        ("post", f"/moderation/disputes/{dispute.pk}/decide/"),
    ]


def test_an_outsider_gets_404_on_every_dispute_url(dispute, other_actor, other_creator):
    for outsider in (other_actor, other_creator):
        client = client_for(outsider)
        for method, path in party_urls(dispute) + moderator_urls(dispute):
            data = {"body": "hi", "category": "other", "description": "x", "outcome": "no_action", "resolution": "x"}
            response = getattr(client, method)(path, data) if method == "post" else client.get(path)
            assert response.status_code == 404, (outsider, method, path)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert not DisputeMessage.objects.exists()


def test_anonymous_is_sent_to_sign_in_on_party_pages_and_gets_404_on_moderator_pages(dispute):
    client = Client()
    for method, path in party_urls(dispute):
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response.url.startswith(LOGIN), path
    for method, path in moderator_urls(dispute):
        assert getattr(client, method)(path).status_code == 404, path


def test_a_moderator_without_an_authenticator_is_sent_to_set_one_up(dispute, moderator):
    response = client_for(moderator).get(f"/disputes/{dispute.pk}/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response.url


def test_both_parties_read_the_dispute_page(dispute, actor, creator):
    for user in (actor, creator):
        response = client_for(user).get(f"/disputes/{dispute.pk}/")
        assert response.status_code == 200
        assert "Used in a shot I vetoed." in response.content.decode()


def test_internal_notes_are_never_shown_to_the_parties(dispute, actor, creator, mfa_moderator, moderator_client):
    dispute_message_post(dispute=dispute, by=mfa_moderator, body="SECRET-NOTE about the creator", internal=True)
    dispute_message_post(dispute=dispute, by=mfa_moderator, body="Please both send the final cut.")
    for user in (actor, creator):
        page = client_for(user).get(f"/disputes/{dispute.pk}/").content.decode()
        assert "SECRET-NOTE" not in page
        assert "Please both send the final cut." in page
    assert [m.body for m in dispute_thread(dispute)] == ["Please both send the final cut."]
    assert dispute_thread(dispute, include_internal=True).count() == 2
    assert "SECRET-NOTE" in moderator_client.get(f"/disputes/{dispute.pk}/").content.decode()


def test_a_party_cannot_write_an_internal_note(dispute, actor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dispute_message_post(dispute=dispute, by=actor, body="hidden?", internal=True)
    client_for(actor).post(f"/disputes/{dispute.pk}/messages/", {"body": "hidden?", "internal": "True"})
    assert list(DisputeMessage.objects.values_list("internal", flat=True)) == [False]


def test_disputes_for_user_holds_the_parties_and_every_moderator(dispute, actor, other_actor, mfa_moderator):
    assert list(disputes_for_user(actor)) == [dispute]
    assert list(disputes_for_user(other_actor)) == []
    assert list(disputes_for_user(mfa_moderator)) == [dispute]


def test_a_party_message_tells_the_other_party_and_a_note_tells_nobody(dispute, actor, creator, mfa_moderator):
    Notification.objects.all().delete()
    response = client_for(creator).post(f"/disputes/{dispute.pk}/messages/", {"body": "It was in the trailer."})
    assert response.status_code == 302
    assert notified(actor, kinds.DISPUTE_MESSAGE)
    assert not notified(creator, kinds.DISPUTE_MESSAGE)
    Notification.objects.all().delete()
    dispute_message_post(dispute=dispute, by=mfa_moderator, body="Checking the trailer", internal=True)
    assert not Notification.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DISPUTE_NOTE, actor=mfa_moderator).exists()


def test_an_ended_dispute_takes_no_more_messages(dispute, actor, mfa_moderator):
    dispute_dismiss(dispute=dispute, by=mfa_moderator, resolution="Not a breach.")
    response = client_for(actor).post(f"/disputes/{dispute.pk}/messages/", {"body": "But…"})
    assert response.status_code == 409
    assert not DisputeMessage.objects.exists()


def test_a_long_message_is_refused(dispute, actor):
    response = client_for(actor).post(f"/disputes/{dispute.pk}/messages/", {"body": "x" * 4001})
    assert response.status_code == 400
    assert not DisputeMessage.objects.exists()


def test_evidence_is_streamed_privately_and_a_moderators_view_is_audited(dispute, actor, moderator_client):
    evidence = dispute.evidence.get()
    path = f"/disputes/{dispute.pk}/evidence/{evidence.pk}/"
    response = client_for(actor).get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f"consentcast-dispute-{dispute.pk}-evidence-{evidence.pk}.jpg" in response["Content-Disposition"]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_VIEWED).exists()
    assert moderator_client.get(path).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_VIEWED).count() == 1
    assert moderator_client.get(f"/disputes/{dispute.pk}/evidence/999999/").status_code == 404


def test_a_party_adds_evidence_while_open(dispute, creator):
    response = client_for(creator).post(
        f"/disputes/{dispute.pk}/evidence/", {"evidence": [image_upload("b.webp", "WEBP")]}
    )
    assert response.status_code == 302
    assert dispute.evidence.count() == 2
    assert dispute.events.filter(kind="evidence").count() == 2


def test_the_moderator_page_shows_the_record_and_the_decision_form(dispute, actor, moderator_client):
    photo = photo_for(dispute.usage_request.actor)
    page = moderator_client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert f"/actors/photos/{photo.pk}/preview/?purpose=dispute:{dispute.pk}" in page
    assert 'data-testid="decision-form"' in page
    assert 'data-testid="request-events"' in page
    assert "Request sent" in page
    assert f"/moderation/disputes/{dispute.pk}/decide/" in page


# --- Deciding ------------------------------------------------------------------


def decide(client, dispute, **data):
    return client.post(f"/moderation/disputes/{dispute.pk}/decide/", {"action": "resolve", **data})


@pytest.mark.parametrize(
    ("outcome", "contract_status", "sanction"),
    [
        ("no_action", ContractStatus.ACTIVE, None),
        ("warning", ContractStatus.ACTIVE, Sanction.Kind.WARNING),
        ("contract_voided", ContractStatus.VOIDED, None),
        ("account_suspended", ContractStatus.VOIDED, Sanction.Kind.SUSPENSION),
    ],
)
def test_resolving_applies_the_outcome(
    outcome, contract_status, sanction, dispute, contract, actor, creator, mfa_moderator, moderator_client
):
    # The creator is the respondent; they have another open request too.
    other_request = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    item_claim(item=dispute, moderator=mfa_moderator)
    response = decide(moderator_client, dispute, outcome=outcome, resolution="Shot 3 was used against the veto.")
    assert response.status_code == 302, response.content.decode()
    assert response.url == f"/disputes/{dispute.pk}/", response.url
    dispute.refresh_from_db()
    contract.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.outcome == outcome
    assert dispute.resolved_by == mfa_moderator
    assert dispute.resolution == "Shot 3 was used against the veto."
    assert contract.status == contract_status
    sanctions = list(Sanction.objects.filter(dispute=dispute))
    if sanction is None:
        assert sanctions == []
    else:
        assert [(s.user, s.kind) for s in sanctions] == [(creator, sanction)]
    creator.refresh_from_db()
    other_request.refresh_from_db()
    if outcome == "account_suspended":
        assert creator.suspended_at is not None
        assert dispute.sanctioned_user == creator
        assert other_request.status == RequestStatus.DECLINED
    else:
        assert creator.suspended_at is None
        assert other_request.status == RequestStatus.PENDING
    for party in (actor, creator):
        note = Notification.objects.get(recipient=party, kind=kinds.DISPUTE_RESOLVED.key)
        assert note.params["id"] == dispute.pk
        assert note.params["resolution"].startswith("Shot 3")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DISPUTE_RESOLVED, actor=mfa_moderator, data__outcome=outcome
    ).exists()
    assert DisputeEvent.objects.filter(dispute=dispute, kind="resolved").count() == 1
    assert not Claim.objects.filter(object_id=dispute.pk).exists()
    page = client_for(actor).get(f"/disputes/{dispute.pk}/").content.decode()
    assert "Shot 3 was used against the veto." in page


def test_the_resolved_notification_names_the_outcome(dispute, actor, mfa_moderator):
    dispute_resolve(dispute=dispute, by=mfa_moderator, outcome="contract_voided", resolution="Void.")
    note = Notification.objects.get(recipient=actor, kind=kinds.DISPUTE_RESOLVED.key)
    assert kinds.DISPUTE_RESOLVED.render_title(note.params) == f"Dispute #{dispute.pk} is resolved: Contract voided"


def test_dismissing_reinstates_the_contract_and_tells_both(dispute, contract, actor, creator, moderator_client):
    response = moderator_client.post(
        f"/moderation/disputes/{dispute.pk}/decide/", {"action": "dismiss", "resolution": "No breach found."}
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    contract.refresh_from_db()
    assert dispute.status == DisputeStatus.DISMISSED
    assert contract.status == ContractStatus.ACTIVE
    assert notified(actor, kinds.DISPUTE_DISMISSED)
    assert notified(creator, kinds.DISPUTE_DISMISSED)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DISPUTE_DISMISSED).exists()


def test_a_resolution_is_required(dispute, contract, moderator_client):
    response = decide(moderator_client, dispute, outcome="contract_voided", resolution="  ")
    assert response.status_code == 400
    dispute.refresh_from_db()
    contract.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert contract.status == ContractStatus.SUSPENDED


def test_voiding_without_a_suspended_contract_is_refused_and_changes_nothing(actor, creator, moderator_client):
    pending = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    dispute = dispute_open(usage_request=pending, by=actor, category="harassment", description="Rude.")
    response = decide(moderator_client, dispute, outcome="contract_voided", resolution="Void it.")
    assert response.status_code == 409
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert not DisputeEvent.objects.filter(kind="resolved").exists()


def test_deciding_without_a_recent_sign_in_asks_to_reauthenticate(dispute, contract, client, mfa_moderator):
    client.force_login(mfa_moderator)
    mark_recently_authenticated(client, mfa_moderator, seconds_ago=3600)
    response = decide(client, dispute, outcome="contract_voided", resolution="Void.")
    assert response.status_code == 302
    assert "reauthenticate" in response.url
    dispute.refresh_from_db()
    contract.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert contract.status == ContractStatus.SUSPENDED


def test_deciding_an_ended_dispute_is_409_and_changes_nothing(dispute, contract, other_moderator, moderator_client):
    dispute_resolve(dispute=dispute, by=other_moderator, outcome="no_action", resolution="First.")
    response = decide(moderator_client, dispute, outcome="contract_voided", resolution="Second.")
    assert response.status_code == 409
    assert "already resolved by another moderator" in response.content.decode()
    dispute.refresh_from_db()
    contract.refresh_from_db()
    assert dispute.resolution == "First."
    assert dispute.resolved_by == other_moderator
    assert contract.status == ContractStatus.ACTIVE
    assert DisputeEvent.objects.filter(kind="resolved").count() == 1


def test_taking_into_review_assigns_the_moderator(dispute, mfa_moderator, moderator_client):
    response = moderator_client.post(f"/moderation/disputes/{dispute.pk}/review/")
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.IN_REVIEW
    assert Claim.objects.get(object_id=dispute.pk).moderator == mfa_moderator
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DISPUTE_REVIEW).exists()
    assert moderator_client.post(f"/moderation/disputes/{dispute.pk}/review/").status_code == 409


def test_review_is_refused_when_another_moderator_holds_the_dispute(dispute, other_moderator, moderator_client):
    item_claim(item=dispute, moderator=other_moderator)
    response = moderator_client.post(f"/moderation/disputes/{dispute.pk}/review/")
    assert response.status_code == 409
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


MOVES = {
    "review": lambda dispute, by: dispute_take_into_review(dispute=dispute, by=by),
    "resolve": lambda dispute, by: dispute_resolve(dispute=dispute, by=by, outcome="no_action", resolution="x"),
    "dismiss": lambda dispute, by: dispute_dismiss(dispute=dispute, by=by, resolution="x"),
}
FORBIDDEN = [
    (DisputeStatus.IN_REVIEW, "review"),
    (DisputeStatus.RESOLVED, "review"),
    (DisputeStatus.RESOLVED, "resolve"),
    (DisputeStatus.RESOLVED, "dismiss"),
    (DisputeStatus.DISMISSED, "review"),
    (DisputeStatus.DISMISSED, "resolve"),
    (DisputeStatus.DISMISSED, "dismiss"),
]


@pytest.mark.parametrize(("status", "move"), FORBIDDEN)
def test_forbidden_transitions_are_refused(status, move, dispute, mfa_moderator):
    from moderation.models import DISPUTE_TRANSITIONS

    target = {"review": "in_review", "resolve": "resolved", "dismiss": "dismissed"}[move]
    assert target not in DISPUTE_TRANSITIONS[status]
    Dispute.objects.filter(pk=dispute.pk).update(status=status)
    events = DisputeEvent.objects.count()
    with pytest.raises(InvalidTransition):
        MOVES[move](Dispute.objects.get(pk=dispute.pk), mfa_moderator)
    assert Dispute.objects.get(pk=dispute.pk).status == status
    assert DisputeEvent.objects.count() == events


@pytest.mark.parametrize("status", [DisputeStatus.OPEN, DisputeStatus.IN_REVIEW])
@pytest.mark.parametrize("move", ["resolve", "dismiss"])
def test_open_and_in_review_disputes_can_end(status, move, dispute, mfa_moderator):
    Dispute.objects.filter(pk=dispute.pk).update(status=status)
    MOVES[move](Dispute.objects.get(pk=dispute.pk), mfa_moderator)
    assert Dispute.objects.get(pk=dispute.pk).status in (DisputeStatus.RESOLVED, DisputeStatus.DISMISSED)


def test_only_moderators_who_are_not_parties_decide(dispute, actor, creator):
    from django.core.exceptions import PermissionDenied

    for user in (actor, creator):
        with pytest.raises(PermissionDenied):
            dispute_resolve(dispute=dispute, by=user, outcome="no_action", resolution="x")
    with pytest.raises(DomainError):
        dispute_resolve(dispute=dispute, by=creator, outcome="bogus", resolution="x")


def test_the_queue_lists_open_disputes_in_constant_queries(
    actor, creator, other_moderator, moderator_client, django_assert_max_num_queries
):
    actor_profile = open_actor(actor.actor_profile)

    def add_dispute():
        pending = send_request(actor=actor_profile, creator=creator.creator_profile)
        dispute = dispute_open(usage_request=pending, by=actor, category="other", description="x")
        item_claim(item=dispute, moderator=other_moderator)
        return dispute

    first = add_dispute()
    with django_assert_max_num_queries(30) as one:
        response = moderator_client.get("/moderation/disputes/")
    assert response.status_code == 200
    assert f"/disputes/{first.pk}/" in response.content.decode()
    assert other_moderator.email in response.content.decode()
    for _ in range(4):
        add_dispute()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = moderator_client.get("/moderation/disputes/")
    assert response.content.decode().count('href="/disputes/') == 5


# --- Racing moderators -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moderators_resolving_at_once_leave_one_decision(actor, creator, moderator, other_moderator):
    actor_profile = open_actor(actor.actor_profile)
    for attempt in range(5):
        contract = active_contract(actor=actor_profile, creator=creator.creator_profile)
        dispute = dispute_open(usage_request=contract.request, by=actor, category="other", description=f"#{attempt}")

        def void(dispute=dispute):
            return dispute_resolve(dispute=dispute, by=moderator, outcome="contract_voided", resolution="Void.")

        def warn(dispute=dispute):
            return dispute_resolve(dispute=dispute, by=other_moderator, outcome="warning", resolution="Warn.")

        outcomes = race(void, warn)
        kinds_seen = sorted(kind for kind, _ in outcomes)
        assert kinds_seen == ["error", "ok"], outcomes
        error = next(value for kind, value in outcomes if kind == "error")
        assert isinstance(error, InvalidTransition)
        assert "already resolved by another moderator" in error.message
        dispute.refresh_from_db()
        contract.refresh_from_db()
        assert DisputeEvent.objects.filter(dispute=dispute, kind="resolved").count() == 1
        assert (
            AuditEvent.objects.filter(
                action=AuditEvent.Action.DISPUTE_RESOLVED, target__endswith=f":{dispute.pk}"
            ).count()
            == 1
        )
        if dispute.outcome == "contract_voided":
            assert dispute.resolved_by == moderator
            assert contract.status == ContractStatus.VOIDED
            assert not Sanction.objects.filter(dispute=dispute).exists()
        else:
            assert dispute.resolved_by == other_moderator
            assert contract.status == ContractStatus.ACTIVE
            assert Sanction.objects.filter(dispute=dispute).count() == 1
        assert UsageRequest.objects.filter(pk=contract.request_id).exists()
