"""A worker process keeps one SMTP connection open between emails
(marketplace.tasks._send) and opens it again when the server dropped it.
A real SMTP server (aiosmtpd) on a loopback port; nothing is mocked."""

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from marketplace.models import EmailStatus
from marketplace.tasks import close_email_connection, send_notification_email
from marketplace.tests.celery_harness import Inbox, free_port
from marketplace.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


class Sessions(Inbox):
    """Also remembers the client address of each message: one port, one connection."""

    def __init__(self):
        super().__init__()
        self.peers: list[tuple[str, int]] = []

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    """(handler, port, restart): a real SMTP server; ``restart()`` drops every connection."""
    handler, port = Sessions(), free_port()
    controllers = [Controller(handler, hostname="127.0.0.1", port=port)]
    controllers[0].start()

    def restart():
        controllers[0].stop()
        controllers[0] = Controller(handler, hostname="127.0.0.1", port=port)
        controllers[0].start()

    close_email_connection()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=port):
        try:
            yield handler, restart
        finally:
            close_email_connection()
            controllers[0].stop()


def pending():
    return NotificationFactory(email_status=EmailStatus.PENDING)


def test_a_burst_of_emails_goes_through_one_connection(smtp):
    handler, _restart = smtp
    notifications = [pending() for _ in range(5)]

    for notification in notifications:
        assert send_notification_email.apply(args=[notification.pk]).get() == "sent"

    assert len(handler.messages) == 5
    assert len(set(handler.peers)) == 1
    sent = {message["X-ConsentCast-Notification"] for message in handler.messages}
    assert sent == {str(notification.pk) for notification in notifications}


def test_a_connection_the_server_dropped_is_opened_again_without_a_retry(smtp):
    handler, restart = smtp
    first, second = pending(), pending()
    send_notification_email.apply(args=[first.pk])

    restart()
    assert send_notification_email.apply(args=[second.pk]).get() == "sent"

    second.refresh_from_db()
    assert second.email_status == EmailStatus.SENT
    assert second.email_attempts == 1
    assert len(handler.messages) == 2
    assert len(set(handler.peers)) == 2


def test_a_server_that_is_down_leaves_the_email_pending_for_a_retry(smtp):
    _handler, _restart = smtp
    notification = pending()
    with override_settings(EMAIL_PORT=free_port()), pytest.raises(ConnectionRefusedError):
        send_notification_email(notification.pk)

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_attempts == 1
