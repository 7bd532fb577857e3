"""The dispute page lists the shots the dispute is about, with the actor's
decisions and notes, for both parties and the moderators; the moderator's
request timeline names each shot decided."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from moderation.models import Dispute
from moderation.selectors import dispute_shots
from moderation.services.disputes import dispute_open
from usage_requests.models import RequestEvent
from usage_requests.tests.factories import active_contract, open_actor

pytestmark = pytest.mark.django_db


def disputed(actor, creator, *, shots: int = 3, veto: int = 1) -> Dispute:
    contract = active_contract(
        actor=open_actor(actor.actor_profile), creator=creator.creator_profile, shots=shots, veto=veto
    )
    return dispute_open(
        usage_request=contract.request, by=actor, category="beyond_shots", description="Used in a shot I vetoed."
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shots_section(page: str) -> str:
    start = page.index('data-testid="dispute-shots"')
    return page[start : page.index("</section>", start)]


def test_the_selector_lists_every_requested_shot_with_counts(actor, creator):
    dispute = disputed(actor, creator, shots=4, veto=1)
    shots = dispute_shots(dispute)
    assert [row.shot.number for row in shots.rows] == [1, 2, 3, 4]
    assert [row.decision for row in shots.rows] == ["approved", "approved", "approved", "vetoed"]
    assert (shots.approved, shots.vetoed) == (3, 1)
    assert shots.rows[-1].note == "Not this one"


@pytest.mark.parametrize("reader", ["actor", "creator"])
def test_both_parties_see_the_shots_with_decisions_and_notes(reader, actor, creator):
    dispute = disputed(actor, creator)
    user = actor if reader == "actor" else creator
    section = shots_section(client_for(user).get(f"/disputes/{dispute.pk}/").content.decode())
    assert section.count('data-testid="shot-row"') == 3
    assert section.count(">Approved</span>") == 2
    assert section.count(">Vetoed</span>") == 1
    assert "Not this one" in section
    assert "3 shots requested: 2 approved, 1 vetoed by the actor." in section
    assert "The contract licenses the approved shots only." in section


def test_the_moderator_sees_the_shots_and_a_timeline_naming_each_shot_decided(actor, creator, moderator_client):
    dispute = disputed(actor, creator)
    page = moderator_client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert shots_section(page).count('data-testid="shot-row"') == 3
    start = page.index('data-testid="request-events"')
    events = page[start : page.index("</ol>", start)]
    assert "Shot 1 approved by the actor" in events
    assert "Shot 2 approved by the actor" in events
    assert "Shot 3 vetoed by the actor <q" in events
    assert '<q class="dispute-text" data-testid="shot-note">Not this one</q>' in events
    assert "Shot decision" not in events


def test_the_shots_and_timeline_in_chinese(actor, creator, mfa_moderator, moderator_client):
    dispute = disputed(actor, creator)
    mfa_moderator.preferred_language = "zh-hans"
    mfa_moderator.save(update_fields=["preferred_language"])
    page = moderator_client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "演员批准了镜头 1" in page
    assert "演员否决了镜头 3" in page
    assert "共请求 3 个镜头：演员批准 2 个，否决 1 个。" in page


def test_the_dispute_page_queries_do_not_grow_with_shots(actor, other_actor, creator):
    def queries(dispute: Dispute, user) -> int:
        client = client_for(user)
        client.get(f"/disputes/{dispute.pk}/")
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"/disputes/{dispute.pk}/").status_code == 200
        return len(context.captured_queries)

    few = queries(disputed(actor, creator, shots=2, veto=1), actor)
    many = queries(disputed(other_actor, creator, shots=8, veto=3), other_actor)
    assert many == few


def test_the_request_page_timeline_names_each_shot_too(actor, creator):
    dispute = disputed(actor, creator)
    page = client_for(creator).get(f"/requests/{dispute.usage_request_id}/").content.decode()
    start = page.index('data-testid="timeline"')
    timeline = page[start : page.index("</ol>", start)]
    assert "Shot 3 vetoed by the actor" in timeline
    assert "Not this one" in timeline


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"shot": 3, "decision": "approved"}, "Shot 3 approved by the actor"),
        ({"shot": 3, "decision": "vetoed", "note": "No"}, "Shot 3 vetoed by the actor"),
        ({"shot": 3, "decision": "undecided"}, "Decision on shot 3 withdrawn by the actor"),
        ({"shot": "3", "decision": "approved"}, "Shot decision"),
        ({}, "Shot decision"),
        ([], "Shot decision"),
    ],
)
def test_an_event_summary_never_fails_on_odd_data(data, expected):
    event = RequestEvent(kind=RequestEvent.Kind.SHOT_DECIDED, data=data)
    assert event.summary == expected


def test_other_events_are_their_kind():
    event = RequestEvent(kind=RequestEvent.Kind.SENT, data={"shot": 3, "note": "x"})
    assert event.summary == "Request sent"
    assert event.shot_note == ""
