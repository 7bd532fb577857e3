"""The message thread of a request page: sending with and without htmx,
polling, escaping, read state, closed threads and the query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from usage_requests.models import Message, Party, RequestStatus, UsageRequest
from usage_requests.services import usage_request_withdraw
from usage_requests.tests.factories import open_actor, send_request

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pending(actor, creator):
    return send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def url(request) -> str:
    return f"/requests/{request.pk}/messages/"


def test_anonymous_is_sent_to_sign_in(client, pending):
    assert client.post(url(pending), {"body": "Hi"}).url.startswith("/accounts/login/")
    assert client.get(url(pending), **HTMX).url.startswith("/accounts/login/")
    assert not Message.objects.exists()


def test_other_methods_are_405(login, actor, pending):
    assert login(actor).put(url(pending)).status_code == 405


@pytest.mark.parametrize("persona", ["other_actor", "other_creator"])
def test_outsider_can_neither_read_nor_write(login, pending, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.post(url(pending), {"body": "Let me in"}).status_code == 404
    assert client.get(url(pending), **HTMX).status_code == 404
    assert not Message.objects.exists()


def test_message_without_javascript_redirects_back_to_the_thread(login, creator, pending):
    response = login(creator).post(url(pending), {"body": "Hello!\nSecond line."})
    assert response.status_code == 302
    assert response.url == f"/requests/{pending.pk}/#messages"
    message = Message.objects.get()
    assert (message.sender_party, message.body) == (Party.CREATOR, "Hello!\nSecond line.")


def test_message_with_htmx_returns_the_section_with_an_empty_form(login, actor, pending):
    response = login(actor).post(url(pending), {"body": "Happy to talk."}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card mb-4" id="messages"')
    assert "Happy to talk." in page
    assert "></textarea>" in page
    assert Message.objects.get().sender_party == Party.ACTOR


def test_message_is_escaped_and_keeps_line_breaks(login, actor, creator, pending):
    login(creator).post(url(pending), {"body": "<script>alert(1)</script>\nnext line"})
    page = login(actor).get(f"/requests/{pending.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>next line" in page


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
def test_empty_or_too_long_message_is_refused(login, actor, pending, body):
    client = login(actor)
    assert client.post(url(pending), {"body": body}).status_code == 400
    htmx = client.post(url(pending), {"body": body}, **HTMX)
    assert htmx.status_code == 200
    assert "is-invalid" in htmx.content.decode()
    assert not Message.objects.exists()


def test_polling_returns_the_thread_and_marks_it_read(login, actor, creator, pending):
    login(creator).post(url(pending), {"body": "Any news?"})
    response = login(actor).get(url(pending), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="thread"')
    assert 'hx-trigger="every 10s"' in page
    assert "Any news?" in page
    assert UsageRequest.objects.get(pk=pending.pk).actor_read_at is not None


def test_polling_without_htmx_goes_to_the_page(login, actor, pending):
    response = login(actor).get(url(pending))
    assert response.status_code == 302
    assert response.url == f"/requests/{pending.pk}/#messages"


def test_opening_the_page_marks_the_thread_read(login, actor, creator, pending):
    login(creator).post(url(pending), {"body": "Hello"})
    assert UsageRequest.objects.get(pk=pending.pk).actor_read_at is None
    login(actor).get(f"/requests/{pending.pk}/")
    assert UsageRequest.objects.get(pk=pending.pk).actor_read_at is not None


def test_closed_request_thread_is_read_only(login, actor, creator, pending):
    login(creator).post(url(pending), {"body": "Before closing"})
    usage_request_withdraw(request=pending, user=creator)
    client = login(actor)
    page = client.get(f"/requests/{pending.pk}/").content.decode()
    assert "Before closing" in page
    assert 'name="body"' not in page
    assert "every 10s" not in page
    response = client.post(url(pending), {"body": "Too late"})
    assert response.status_code == 400
    assert "This request is closed; its thread is read-only." in response.content.decode()
    assert Message.objects.count() == 1
    assert UsageRequest.objects.get(pk=pending.pk).status == RequestStatus.WITHDRAWN


def _add_messages(request, count: int) -> None:
    Message.objects.bulk_create(
        Message(
            request=request,
            sender=request.creator.user if index % 2 else request.actor.user,
            sender_party=Party.CREATOR if index % 2 else Party.ACTOR,
            body=f"Message {index}",
        )
        for index in range(count)
    )


def test_request_page_query_count_does_not_grow_with_messages(login, actor, pending, django_assert_max_num_queries):
    _add_messages(pending, 1)
    client = login(actor)
    client.get(f"/requests/{pending.pk}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/requests/{pending.pk}/")
    _add_messages(pending, 199)
    with django_assert_max_num_queries(len(one)):
        response = client.get(f"/requests/{pending.pk}/")
    assert response.content.decode().count('data-testid="message"') == 200


def test_polling_query_count_does_not_grow_with_messages(login, actor, pending, django_assert_max_num_queries):
    _add_messages(pending, 1)
    client = login(actor)
    with CaptureQueriesContext(connection) as one:
        client.get(url(pending), **HTMX)
    _add_messages(pending, 199)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url(pending), **HTMX)
    assert response.content.decode().count('data-testid="message"') == 200
