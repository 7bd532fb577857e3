"""The message thread service: who may write, what a message may be, and
that a closed request's thread is read-only."""

import pytest
from django.core.exceptions import PermissionDenied

from marketplace.exceptions import InvalidTransition
from usage_requests.models import MESSAGE_MAX_LENGTH, Message, Party
from usage_requests.selectors import messages_for_request
from usage_requests.services import (
    MessageRefused,
    message_send,
    usage_request_decline,
    usage_request_withdraw,
    usage_requests_expire_due,
)
from usage_requests.tests.factories import decide_all, open_actor, send_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(actor, creator):
    return send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def test_both_parties_can_write_in_the_thread(pending, actor, creator):
    message_send(request=pending, user=creator, body="Hello from the studio")
    message_send(request=pending, user=actor, body="你好，我考虑一下")
    assert [(m.sender_party, m.body) for m in messages_for_request(pending)] == [
        (Party.CREATOR, "Hello from the studio"),
        (Party.ACTOR, "你好，我考虑一下"),
    ]


@pytest.mark.parametrize("stranger", ["other_creator", "other_actor", "moderator"])
def test_stranger_cannot_write_in_the_thread(pending, stranger, request):
    user = request.getfixturevalue(stranger)
    with pytest.raises(PermissionDenied):
        message_send(request=pending, user=user, body="Let me in")
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n", "\x00\x07"])
def test_empty_message_is_refused(pending, creator, body):
    with pytest.raises(MessageRefused):
        message_send(request=pending, user=creator, body=body)
    assert not Message.objects.exists()


def test_too_long_message_is_refused(pending, creator):
    with pytest.raises(MessageRefused):
        message_send(request=pending, user=creator, body="x" * (MESSAGE_MAX_LENGTH + 1))
    assert not Message.objects.exists()


def test_message_of_maximum_length_is_kept(pending, creator):
    message = message_send(request=pending, user=creator, body="字" * MESSAGE_MAX_LENGTH)
    assert len(Message.objects.get(pk=message.pk).body) == MESSAGE_MAX_LENGTH


def test_body_is_kept_as_plain_text(pending, creator):
    body = "<script>alert('x')</script> & <b>bold</b>\r\nsecond line\x07"
    message = message_send(request=pending, user=creator, body=body)
    stored = Message.objects.get(pk=message.pk).body
    assert stored == "<script>alert('x')</script> & <b>bold</b>\nsecond line"


def test_accepted_request_thread_stays_open(pending, actor, creator):
    decide_all(pending)
    from usage_requests.services import usage_request_accept

    usage_request_accept(request=pending, user=actor, terms_version=1)
    message_send(request=pending, user=creator, body="Thanks, contract follows")
    assert Message.objects.count() == 1


@pytest.mark.parametrize("closing", ["declined", "withdrawn", "expired"])
def test_closed_request_thread_is_read_only(pending, actor, creator, closing):
    message_send(request=pending, user=creator, body="Before closing")
    if closing == "declined":
        usage_request_decline(request=pending, user=actor)
    elif closing == "withdrawn":
        usage_request_withdraw(request=pending, user=creator)
    else:
        usage_requests_expire_due(now=pending.expires_at)
    for user in (actor, creator):
        with pytest.raises(InvalidTransition):
            message_send(request=pending, user=user, body="After closing")
    assert list(Message.objects.values_list("body", flat=True)) == ["Before closing"]
