"""The request pages from the browser: composer, inbox, request page and
every action on it, for each persona."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.tests.factories import ActorProfileFactory
from creators.models import Project
from creators.tests.factories import ProjectFactory, ShortlistEntryFactory, ShotFactory
from usage_requests.models import Contract, RequestEvent, RequestStatus, RequestTerms, ShotDecision, UsageRequest
from usage_requests.services import usage_request_counter, usage_requests_decline_for_actor
from usage_requests.tests.factories import (
    GOOD_TERMS,
    decide_all,
    open_actor,
    project_with_shots,
    send_request,
    term_dates,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def listed(actor):
    return open_actor(actor.actor_profile)


@pytest.fixture
def pending(listed, creator):
    return send_request(actor=listed, creator=creator.creator_profile)


@pytest.fixture
def countered(pending):
    usage_request_counter(
        request=pending,
        user=pending.actor.user,
        terms_version=1,
        **{**GOOD_TERMS, "fee": GOOD_TERMS["fee"] + 1000},
        **term_dates(),
        note="A little more, please.",
    )
    pending.refresh_from_db()
    return pending


def compose_data(shot_rows, **changes) -> dict:
    dates = term_dates()
    data = {
        "shots": [shot.pk for shot in shot_rows],
        "fee": "5000",
        "currency": "CNY",
        "term_start": dates["term_start"].isoformat(),
        "term_end": dates["term_end"].isoformat(),
        "territory": "cn_mainland",
        "message": "We would love you for the night market scenes.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def compose_url(project, *slugs) -> str:
    query = "&".join(f"actor={slug}" for slug in slugs)
    return f"/requests/new/?{query}" + (f"&project={project.pk}" if project else "")


def status_of(request) -> str:
    return UsageRequest.objects.values_list("status", flat=True).get(pk=request.pk)


def page_messages(response) -> str:
    return " ".join(str(message) for message in response.wsgi_request._messages)


# --- Who may open what ---------------------------------------------------------------

ACTION_PATHS = ["decide", "accept", "decline", "counter", "accept-counter", "withdraw"]


@pytest.mark.parametrize("path", ["/requests/", "/requests/new/?actor=lin-xiaoyu", "/requests/{pk}/"])
def test_anonymous_is_sent_to_sign_in_for_pages(client, pending, path):
    response = client.get(path.format(pk=pending.pk))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("action", ACTION_PATHS)
def test_anonymous_is_sent_to_sign_in_for_actions(client, pending, action):
    response = client.post(f"/requests/{pending.pk}/{action}/", {"terms_version": 1})
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert status_of(pending) == RequestStatus.PENDING


@pytest.mark.parametrize("action", ACTION_PATHS)
def test_actions_refuse_get(login, actor, pending, action):
    assert login(actor).get(f"/requests/{pending.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("path", ["/requests/", "/requests/{pk}/"])
def test_pages_refuse_post(login, actor, pending, path):
    assert login(actor).post(path.format(pk=pending.pk)).status_code == 405


def test_composer_refuses_put(login, creator, listed):
    assert login(creator).put(f"/requests/new/?actor={listed.slug}").status_code == 405


@pytest.mark.parametrize("persona", ["other_actor", "other_creator"])
def test_outsider_gets_404_for_the_request_page(login, pending, persona, request):
    assert login(request.getfixturevalue(persona)).get(f"/requests/{pending.pk}/").status_code == 404


@pytest.mark.parametrize("action", ACTION_PATHS)
@pytest.mark.parametrize("persona", ["other_actor", "other_creator"])
def test_outsider_gets_404_for_every_action_and_nothing_changes(login, pending, persona, action, request):
    response = login(request.getfixturevalue(persona)).post(f"/requests/{pending.pk}/{action}/", {"terms_version": 1})
    assert response.status_code == 404
    assert status_of(pending) == RequestStatus.PENDING


def test_unknown_request_is_404(login, actor):
    assert login(actor).get("/requests/999999/").status_code == 404


# --- Composer ------------------------------------------------------------------------


def test_composer_is_403_for_signed_in_non_creator(login, actor, listed):
    assert login(actor).get(f"/requests/new/?actor={listed.slug}").status_code == 403


def test_composer_shows_unchecked_shots_terms_and_red_lines(login, creator, listed):
    project, shots = project_with_shots(creator.creator_profile, 2)
    response = login(creator).get(compose_url(project, listed.slug))
    page = response.content.decode()
    assert response.status_code == 200
    for shot in shots:
        assert f'value="{shot.pk}" id="shot-{shot.pk}">' in page
        assert shot.description in page
    assert " checked" not in page.split('name="ai_training"')[1].split(">")[0]
    assert 'type="date"' in page
    assert "Mainland China" in page  # the red lines summary: accepted territories
    assert "Territories accepted" in page


def test_composer_without_project_offers_the_creators_open_projects(login, creator, other_creator, listed):
    mine = ProjectFactory(creator=creator.creator_profile, title="Night Market", status=Project.Status.ACTIVE)
    ProjectFactory(creator=creator.creator_profile, title="Old One", status=Project.Status.COMPLETED)
    ProjectFactory(creator=other_creator.creator_profile, title="Theirs")
    page = login(creator).get(f"/requests/new/?actor={listed.slug}").content.decode()
    assert f'value="{mine.pk}"' in page
    assert "Old One" not in page
    assert "Theirs" not in page


def test_composer_for_another_creators_project_is_404(login, creator, other_creator, listed):
    project, _ = project_with_shots(other_creator.creator_profile, 1)
    assert login(creator).get(compose_url(project, listed.slug)).status_code == 404


def test_composer_for_unlisted_actor_is_404(login, creator):
    hidden = ActorProfileFactory(slug="hidden-actor")
    project, _ = project_with_shots(creator.creator_profile, 1)
    assert login(creator).get(compose_url(project, hidden.slug)).status_code == 404


def test_composer_without_actor_goes_to_the_roster(login, creator):
    response = login(creator).get("/requests/new/")
    assert response.status_code == 302
    assert response.url == "/roster/"


def test_composer_sends_one_request_and_opens_it(login, creator, listed):
    project, shots = project_with_shots(creator.creator_profile, 3)
    response = login(creator).post(compose_url(project, listed.slug), compose_data(shots[:2]))
    sent = UsageRequest.objects.get()
    assert response.status_code == 302
    assert response.url == f"/requests/{sent.pk}/"
    assert sent.actor == listed
    assert sent.status == RequestStatus.PENDING
    assert sent.request_shots.count() == 2
    assert sent.message == "We would love you for the night market scenes."
    terms = sent.terms.get()
    assert (terms.fee, terms.currency, terms.ai_training) == (5000, "CNY", False)


def test_composer_sends_one_request_per_shortlisted_actor(login, creator, listed):
    second = open_actor()
    project, shots = project_with_shots(creator.creator_profile, 2)
    response = login(creator).post(compose_url(project, listed.slug, second.slug), compose_data(shots))
    assert response.status_code == 302
    assert response.url == "/requests/"
    assert sorted(UsageRequest.objects.values_list("actor_id", flat=True)) == sorted([listed.pk, second.pk])


def test_red_line_refusal_lists_every_reason_per_actor_and_saves_nothing(login, creator, listed):
    second = open_actor(accepted_territories=["worldwide"])
    project, shots = project_with_shots(creator.creator_profile, 1)
    data = compose_data(shots, territory="europe", ai_training="on")
    response = login(creator).post(compose_url(project, listed.slug, second.slug), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="red-line-refusal"' in page
    assert "The actor does not accept distribution in Europe." in page
    assert page.count("The actor never allows AI training or fine-tuning on their likeness.") >= 2
    assert listed.stage_name in page
    assert second.stage_name in page
    assert not UsageRequest.objects.exists()
    assert not RequestTerms.objects.exists()


def test_duplicate_open_request_says_where_the_open_one_is(login, creator, pending):
    shots = list(pending.project.shots.all())
    response = login(creator).post(compose_url(pending.project, pending.actor.slug), compose_data(shots))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="duplicate-request"' in page
    assert f'href="/requests/{pending.pk}/"' in page
    assert UsageRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"shots": None}, "Choose at least one shot."),
        ({"shots": ["99999999999999999999999"]}, "is not a valid value"),
        ({"shots": ["-3"]}, "is not a valid value"),
        ({"shots": ["１"]}, "is not a valid value"),
        ({"fee": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"fee": "lots"}, "Enter a number."),
        ({"currency": "XYZ"}, "Select a valid choice."),
        ({"message": "x" * 2001}, "Ensure this value has at most 2000 characters"),
    ],
)
def test_composer_bad_input_is_a_form_error_and_sends_nothing(login, creator, listed, changes, error):
    project, shots = project_with_shots(creator.creator_profile, 1)
    response = login(creator).post(compose_url(project, listed.slug), compose_data(shots, **changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not UsageRequest.objects.exists()


def test_composer_refuses_a_shot_of_another_project(login, creator, listed):
    project, _ = project_with_shots(creator.creator_profile, 1)
    foreign = ShotFactory()
    response = login(creator).post(compose_url(project, listed.slug), compose_data([foreign]))
    assert response.status_code == 400
    assert not UsageRequest.objects.exists()


def test_licence_outside_project_dates_is_shown_on_the_date_field(login, creator, listed):
    today = timezone.localdate()
    project, shots = project_with_shots(
        creator.creator_profile, 1, start_date=today, end_date=today + timedelta(days=30)
    )
    data = compose_data(shots, term_start=today.isoformat(), term_end=(today + timedelta(days=60)).isoformat())
    response = login(creator).post(compose_url(project, listed.slug), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "project's end date" in " ".join(form.errors["term_end"])
    assert not UsageRequest.objects.exists()


def test_actor_page_links_to_the_composer_for_the_chosen_project(login, creator, listed):
    project = ProjectFactory(creator=creator.creator_profile, title="Night Market")
    page = login(creator).get(f"/roster/{listed.slug}/?project={project.pk}").content.decode()
    assert f'href="/requests/new/?actor={listed.slug}&amp;project={project.pk}"' in page
    assert "Requests open soon" not in page


def test_project_page_offers_a_request_to_the_whole_shortlist(login, creator):
    project = ProjectFactory(creator=creator.creator_profile)
    entries = [ShortlistEntryFactory(project=project) for _ in range(2)]
    page = login(creator).get(f"/projects/{project.pk}/").content.decode()
    assert 'action="/requests/new/" id="shortlist-request"' in page
    for entry in entries:
        assert f'name="actor" value="{entry.actor.slug}"' in page


# --- Inbox ---------------------------------------------------------------------------


def test_inbox_groups_by_who_must_act(login, actor, creator, listed, pending):
    closed = send_request(actor=listed, creator=creator.creator_profile)
    page = login(actor).get("/requests/").content.decode()
    awaiting_me = page.split('data-testid="inbox-awaiting_me"')[1].split("</section>")[0]
    assert pending.project.title in awaiting_me
    assert "expires in 6" in awaiting_me

    client = login(creator)
    client.post(f"/requests/{closed.pk}/withdraw/")
    page = client.get("/requests/").content.decode()
    awaiting_other = page.split('data-testid="inbox-awaiting_other"')[1].split("</section>")[0]
    closed_section = page.split('data-testid="inbox-closed"')[1].split("</section>")[0]
    assert pending.project.title in awaiting_other
    assert closed.project.title in closed_section
    assert "Withdrawn" in closed_section


def test_inbox_shows_unread_message_count(login, actor, creator, pending):
    login(creator).post(f"/requests/{pending.pk}/messages/", {"body": "Hello"})
    login(creator).post(f"/requests/{pending.pk}/messages/", {"body": "Are you there?"})
    page = login(actor).get("/requests/").content.decode()
    assert "2 unread messages" in page


def test_inbox_is_403_without_a_role(login, moderator):
    assert login(moderator).get("/requests/").status_code == 403


def test_inbox_query_count_does_not_grow_with_requests(login, creator, listed, django_assert_max_num_queries):
    send_request(actor=listed, creator=creator.creator_profile, shots=1)
    client = login(creator)
    client.get("/requests/")
    with CaptureQueriesContext(connection) as one:
        client.get("/requests/")
    for _ in range(29):
        send_request(actor=open_actor(), creator=creator.creator_profile, shots=1)
    with django_assert_max_num_queries(len(one)):
        response = client.get("/requests/")
    assert response.content.decode().count('data-testid="inbox-row"') == 30


# --- Request page --------------------------------------------------------------------


def test_request_page_shows_project_parties_shots_terms_and_timeline(login, creator, pending):
    response = login(creator).get(f"/requests/{pending.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert pending.project.title in page
    assert pending.project.logline in page
    assert f'href="/creators/{pending.creator.pk}/"' in page
    assert f'href="/roster/{pending.actor.slug}/"' in page
    assert page.count('data-testid="shot-row"') == 3
    assert "Version 1, proposed by the Creator" in page
    assert "Request sent" in page
    assert "Expires in 6" in page
    assert f'action="/requests/{pending.pk}/withdraw/"' in page
    assert "/decide/" not in page


def test_actor_sees_decision_form_accept_counter_and_decline(login, actor, pending):
    page = login(actor).get(f"/requests/{pending.pk}/").content.decode()
    for action in ("decide", "accept", "counter", "decline"):
        assert f'action="/requests/{pending.pk}/{action}/"' in page
    assert "withdraw" not in page
    assert 'name="counter-fee" value="5000.00"' in page


def test_earlier_terms_are_kept_and_the_latest_is_named(login, creator, countered):
    page = login(creator).get(f"/requests/{countered.pk}/").content.decode()
    assert "Version 2, proposed by the Actor" in page
    assert "1 earlier version" in page
    assert "A little more, please." in page
    assert f'action="/requests/{countered.pk}/accept-counter/"' in page


def test_platform_decline_is_explained_in_the_timeline(login, creator, pending):
    usage_requests_decline_for_actor(actor=pending.actor)
    page = login(creator).get(f"/requests/{pending.pk}/").content.decode()
    assert "Declined automatically: the actor left the roster" in page
    assert "This request is closed; its thread is read-only." in page


# --- Actor: decide, accept, counter, decline --------------------------------------------


def decisions_data(request, *, vetoed: int = 0, action: str = "save", version: int | None = None) -> dict:
    rows = list(request.request_shots.order_by("shot__number"))
    data = {"terms_version": version or request.terms_version, "action": action}
    for index, row in enumerate(rows):
        veto = index >= len(rows) - vetoed
        data[f"decision_{row.pk}"] = ShotDecision.VETOED if veto else ShotDecision.APPROVED
        data[f"note_{row.pk}"] = "Not this one" if veto else ""
    return data


def test_actor_saves_decisions(login, actor, pending):
    response = login(actor).post(f"/requests/{pending.pk}/decide/", decisions_data(pending, vetoed=1))
    assert response.status_code == 302
    decisions = list(pending.request_shots.order_by("shot__number").values_list("decision", "note"))
    assert decisions[-1] == (ShotDecision.VETOED, "Not this one")
    assert decisions[0][0] == ShotDecision.APPROVED
    assert status_of(pending) == RequestStatus.PENDING


def test_actor_decides_and_accepts_in_one_go_and_the_contract_exists(login, actor, pending):
    client = login(actor)
    response = client.post(f"/requests/{pending.pk}/decide/", decisions_data(pending, vetoed=1, action="accept"))
    assert response.status_code == 302
    assert status_of(pending) == RequestStatus.ACCEPTED
    contract = Contract.objects.get(request=pending)
    assert len(contract.snapshot["shots"]) == 2
    page = client.get(f"/requests/{pending.pk}/").content.decode()
    assert 'data-testid="contract-link"' in page
    assert f'href="/contracts/{contract.pk}/"' in page


def test_accept_after_deciding_creates_the_contract(login, actor, pending):
    decide_all(pending, veto=1)
    response = login(actor).post(f"/requests/{pending.pk}/accept/", {"terms_version": 1})
    assert response.status_code == 302
    assert response.url == f"/requests/{pending.pk}/"
    assert status_of(pending) == RequestStatus.ACCEPTED
    assert Contract.objects.filter(request=pending).exists()


def test_accept_without_deciding_every_shot_is_refused(login, actor, pending):
    response = login(actor).post(f"/requests/{pending.pk}/accept/", {"terms_version": 1})
    assert response.status_code == 302
    assert "Approve or veto every shot before you accept." in page_messages(response)
    assert status_of(pending) == RequestStatus.PENDING
    assert not Contract.objects.exists()


def test_accept_with_stale_terms_version_says_the_terms_changed(login, actor, creator, countered):
    login(creator).post(f"/requests/{countered.pk}/accept-counter/", {"terms_version": 2})
    decide_all(countered)
    response = login(actor).post(f"/requests/{countered.pk}/accept/", {"terms_version": 1})
    assert "The terms changed while you were reading them" in page_messages(response)
    assert status_of(countered) == RequestStatus.PENDING
    assert not Contract.objects.exists()


def test_decide_and_accept_with_stale_terms_changes_nothing(login, actor, creator, countered):
    login(creator).post(f"/requests/{countered.pk}/accept-counter/", {"terms_version": 2})
    countered.refresh_from_db()
    data = decisions_data(countered, action="accept", version=1)
    response = login(actor).post(f"/requests/{countered.pk}/decide/", data)
    assert "The terms changed while you were reading them" in page_messages(response)
    assert not countered.request_shots.exclude(decision=ShotDecision.UNDECIDED).exists()
    assert status_of(countered) == RequestStatus.PENDING


def test_accept_without_terms_version_is_400_and_changes_nothing(login, actor, pending):
    decide_all(pending)
    response = login(actor).post(f"/requests/{pending.pk}/accept/", {})
    assert response.status_code == 400
    assert status_of(pending) == RequestStatus.PENDING


def test_unknown_decision_is_400_and_changes_nothing(login, actor, pending):
    data = decisions_data(pending)
    row = pending.request_shots.first()
    data[f"decision_{row.pk}"] = "maybe"
    response = login(actor).post(f"/requests/{pending.pk}/decide/", data)
    assert response.status_code == 400
    assert not pending.request_shots.exclude(decision=ShotDecision.UNDECIDED).exists()


@pytest.mark.parametrize("action", ["decide", "accept", "counter"])
def test_creator_cannot_take_the_actors_actions(login, creator, pending, action):
    data = {**decisions_data(pending), **{f"counter-{k}": v for k, v in compose_data([]).items()}}
    response = login(creator).post(f"/requests/{pending.pk}/{action}/", data)
    assert response.status_code == 403
    assert status_of(pending) == RequestStatus.PENDING


def counter_data(version: int = 1, **changes) -> dict:
    dates = term_dates()
    data = {
        "terms_version": version,
        "fee": "6500",
        "currency": "CNY",
        "term_start": dates["term_start"].isoformat(),
        "term_end": dates["term_end"].isoformat(),
        "territory": "cn_mainland",
        "note": "Six months at 6,500.",
        **changes,
    }
    return {f"counter-{key}": value for key, value in data.items()}


def test_counter_then_accept_counter_then_accept(login, actor, creator, pending):
    response = login(actor).post(f"/requests/{pending.pk}/counter/", counter_data())
    assert response.status_code == 302
    assert status_of(pending) == RequestStatus.COUNTERED
    latest = pending.terms.get(version=2)
    assert latest.fee == 6500
    assert latest.proposed_by == "actor"

    response = login(creator).post(f"/requests/{pending.pk}/accept-counter/", {"terms_version": 2})
    assert response.status_code == 302
    assert status_of(pending) == RequestStatus.PENDING

    client = login(actor)
    client.post(f"/requests/{pending.pk}/decide/", decisions_data(pending, action="accept", version=2))
    assert status_of(pending) == RequestStatus.ACCEPTED
    assert Contract.objects.get(request=pending).snapshot


def test_counter_with_bad_terms_is_400_and_changes_nothing(login, actor, pending):
    response = login(actor).post(f"/requests/{pending.pk}/counter/", counter_data(fee="-5"))
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    assert status_of(pending) == RequestStatus.PENDING
    assert pending.terms.count() == 1


def test_counter_with_stale_version_changes_nothing(login, actor, pending):
    response = login(actor).post(f"/requests/{pending.pk}/counter/", counter_data(version=7))
    assert "The terms changed while you were reading them" in page_messages(response)
    assert status_of(pending) == RequestStatus.PENDING
    assert pending.terms.count() == 1


def test_accept_counter_with_stale_version_changes_nothing(login, creator, countered):
    response = login(creator).post(f"/requests/{countered.pk}/accept-counter/", {"terms_version": 1})
    assert "The terms changed while you were reading them" in page_messages(response)
    assert status_of(countered) == RequestStatus.COUNTERED


def test_actor_cannot_accept_the_counter(login, actor, countered):
    response = login(actor).post(f"/requests/{countered.pk}/accept-counter/", {"terms_version": 2})
    assert response.status_code == 403
    assert status_of(countered) == RequestStatus.COUNTERED


def test_actor_declines_with_a_reason(login, actor, pending):
    response = login(actor).post(f"/requests/{pending.pk}/decline/", {"reason": "Schedule clash."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == RequestStatus.DECLINED
    assert pending.close_reason == "Schedule clash."
    assert RequestEvent.objects.filter(request=pending, kind=RequestEvent.Kind.DECLINED).exists()


def test_decline_with_too_long_reason_is_400_and_changes_nothing(login, actor, pending):
    response = login(actor).post(f"/requests/{pending.pk}/decline/", {"reason": "x" * 1001})
    assert response.status_code == 400
    assert status_of(pending) == RequestStatus.PENDING


def test_creator_cannot_decline_while_the_actor_decides(login, creator, pending):
    response = login(creator).post(f"/requests/{pending.pk}/decline/", {})
    assert "waiting for the other side" in page_messages(response)
    assert status_of(pending) == RequestStatus.PENDING


def test_creator_declines_the_counter(login, creator, countered):
    response = login(creator).post(f"/requests/{countered.pk}/decline/", {"reason": "Over budget."})
    assert response.status_code == 302
    assert status_of(countered) == RequestStatus.DECLINED


# --- Creator: withdraw -----------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["pending", "countered"])
def test_creator_withdraws_an_open_request(login, creator, fixture, request):
    open_request = request.getfixturevalue(fixture)
    response = login(creator).post(f"/requests/{open_request.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 302
    assert "withdrawn" in page_messages(response)
    assert status_of(open_request) == RequestStatus.WITHDRAWN


def test_actor_cannot_withdraw(login, actor, pending):
    assert login(actor).post(f"/requests/{pending.pk}/withdraw/").status_code == 403
    assert status_of(pending) == RequestStatus.PENDING


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw", "accept-counter"])
def test_closed_request_refuses_every_move(login, actor, creator, pending, action):
    login(creator).post(f"/requests/{pending.pk}/withdraw/")
    user = creator if action in ("withdraw", "accept-counter") else actor
    response = login(user).post(f"/requests/{pending.pk}/{action}/", {"terms_version": 1})
    assert response.status_code == 302
    assert "nothing more can be done" in page_messages(response)
    assert status_of(pending) == RequestStatus.WITHDRAWN


def test_expired_request_cannot_be_accepted(login, actor, pending, time_machine):
    decide_all(pending)
    time_machine.move_to(timezone.now() + timedelta(days=8))
    response = login(actor).post(f"/requests/{pending.pk}/accept/", {"terms_version": 1})
    assert "expired" in page_messages(response)
    assert status_of(pending) == RequestStatus.PENDING
    assert not Contract.objects.exists()


def test_composer_keeps_the_first_twenty_actors_and_says_so(login, creator):
    project = ProjectFactory(creator=creator.creator_profile)
    slugs = [ActorProfileFactory(listed=True, slug=f"crowd-{n:02d}").slug for n in range(21)]
    response = login(creator).get(compose_url(project, *slugs))
    assert response.status_code == 200
    page = response.content.decode()
    assert "at most 20 actors at a time" in page
    assert "/roster/crowd-19/" in page
    assert "/roster/crowd-20/" not in page
