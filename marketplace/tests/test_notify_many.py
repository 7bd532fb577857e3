"""``notify_many``: many notifications in a few statements, with ``notify``'s
promises kept: one notification and one email per recipient and event,
nothing mailed before the commit, no email to an inactive account, and
emails queued a batch at a time."""

import pytest
from django.core import mail
from django.db import transaction

from marketplace import services, tasks
from marketplace.models import EmailStatus, Notification, User
from marketplace.notifications import MODERATOR_GRANTED, WELCOME_ACTOR
from marketplace.services import Notice, notify, notify_many
from marketplace.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def welcome(user: User, event_key: str = "e:1", **fields) -> Notice:
    return Notice(recipient_id=user.pk, kind=WELCOME_ACTOR, event_key=event_key, params={"name": "Maya"}, **fields)


def test_each_recipient_gets_one_notification_and_one_email_after_commit(django_capture_on_commit_callbacks):
    users = [UserFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify_many(welcome(user) for user in users)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(created) == 3
    for callback in callbacks:
        callback()
    assert sorted(str(to) for message in mail.outbox for to in message.to) == sorted(str(user.email) for user in users)
    assert mail.outbox[0].subject == "[ConsentCast] Welcome to ConsentCast, Maya"
    for notification in Notification.objects.filter(pk__in=created):
        assert notification.email_status == EmailStatus.SENT
        assert notification.title == "Welcome to ConsentCast, Maya"


def test_telling_again_creates_and_sends_nothing_more(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify_many([welcome(user)])
        again = notify_many([welcome(user), welcome(user)])
    assert len(first) == 1
    assert again == []
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1


def test_an_event_told_by_notify_is_not_told_again(django_capture_on_commit_callbacks):
    user, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        told = notify(recipient=user, kind=WELCOME_ACTOR, event_key="e:1", params={"name": "Maya"})
        created = notify_many([welcome(user), welcome(other)])
    assert Notification.objects.get(recipient=user).pk == told.pk
    assert Notification.objects.get(pk__in=created).recipient == other
    assert sorted(str(to) for message in mail.outbox for to in message.to) == sorted(
        [str(user.email), str(other.email)]
    )


def test_inactive_recipients_and_notices_without_email_get_no_email(django_capture_on_commit_callbacks):
    inactive, quiet = UserFactory(is_active=False), UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = notify_many(
            [welcome(inactive), welcome(quiet, event_key="e:quiet", email=False), welcome(quiet, event_key="e:loud")]
        )
    statuses = dict(Notification.objects.filter(pk__in=created).values_list("event_key", "email_status"))
    assert statuses == {"e:1": EmailStatus.NOT_WANTED, "e:quiet": EmailStatus.NOT_WANTED, "e:loud": EmailStatus.SENT}
    assert len(callbacks) == 1
    assert [list(message.to) for message in mail.outbox] == [[quiet.email]]


def test_target_and_link_are_kept():
    user, target = UserFactory(), UserFactory()
    (created,) = notify_many([welcome(user, target_model=User, target_id=target.pk, url="/somewhere/")])
    notification = Notification.objects.get(pk=created)
    assert notification.target == target
    assert notification.url == "/somewhere/"
    assert notification.params == {"name": "Maya"}


def test_emails_are_queued_one_task_per_batch(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "NOTIFY_BATCH", 2)
    users = [UserFactory() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_many(welcome(user) for user in users)
    assert len(callbacks) == 3
    assert len(mail.outbox) == 5


def test_nothing_is_mailed_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify_many([welcome(user)])
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.filter(recipient=user).exists()
    assert mail.outbox == []


def test_a_batch_the_broker_refuses_is_left_for_the_requeue_sweep(monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.queue_notification_emails, "apply_async", broker_down)
    users = [UserFactory() for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        created = notify_many(welcome(user) for user in users)
    rows = Notification.objects.filter(pk__in=created)
    assert all(row.email_unqueued_at is not None and row.email_status == EmailStatus.PENDING for row in rows)
    assert mail.outbox == []


def test_the_fan_out_task_is_safe_to_run_twice(django_capture_on_commit_callbacks):
    users = [UserFactory() for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=False):
        created = notify_many(welcome(user) for user in users)
    assert tasks.queue_notification_emails(created) == 2
    tasks.queue_notification_emails(created)
    assert len(mail.outbox) == 2


def test_a_notice_without_parameters_is_stored_with_none():
    user = UserFactory()
    (created,) = notify_many([Notice(recipient_id=user.pk, kind=MODERATOR_GRANTED, event_key="role:moderator")])
    notification = Notification.objects.get(pk=created)
    assert notification.params == {}
    assert notification.title == "You are now a ConsentCast moderator"
