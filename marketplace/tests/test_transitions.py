"""The kernel's helpers for writes: status transitions, files written in a
transaction, and hooks."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from marketplace.exceptions import InvalidTransition
from marketplace.files import removed_on_failure
from marketplace.hooks import Hook, HookList, HookNotProvided
from marketplace.models import EMAIL_TRANSITIONS, EmailStatus, Notification
from marketplace.tests.factories import NotificationFactory
from marketplace.transitions import transition, transition_by_pk


def _pending() -> Notification:
    return NotificationFactory(email_status=EmailStatus.PENDING)


def _email_status(notification: Notification) -> str:
    return Notification.objects.values_list("email_status", flat=True).get(pk=notification.pk)


# --- transition() -------------------------------------------------------------------


def _move(notification: Notification, new: str, **fields) -> Notification:
    return transition(
        notification,
        new=new,
        transitions=EMAIL_TRANSITIONS,
        field="email_status",
        illegal="illegal move",
        lost=lambda now: f"lost, now {now}",
        **fields,
    )


@pytest.mark.django_db
def test_transition_makes_a_legal_move_and_writes_the_extra_fields():
    notification = _pending()

    moved = _move(notification, EmailStatus.SENDING, email_attempts=3)

    assert moved.email_status == EmailStatus.SENDING
    assert moved.email_attempts == 3
    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.email_status, stored.email_attempts) == (EmailStatus.SENDING, 3)


@pytest.mark.django_db
def test_transition_refuses_an_illegal_move_and_changes_nothing():
    notification = _pending()

    with pytest.raises(InvalidTransition, match="illegal move"):
        _move(notification, EmailStatus.SENT)

    assert _email_status(notification) == EmailStatus.PENDING


@pytest.mark.django_db
def test_transition_that_lost_the_race_raises_with_the_status_the_row_has_now():
    notification = _pending()
    Notification.objects.filter(pk=notification.pk).update(email_status=EmailStatus.NOT_WANTED)

    with pytest.raises(InvalidTransition, match="lost, now not_wanted"):
        _move(notification, EmailStatus.SENDING, email_attempts=3)

    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.email_status, stored.email_attempts) == (EmailStatus.NOT_WANTED, 0)


# --- transition_by_pk() -------------------------------------------------------------


def _move_by_pk(notification: Notification, old: str, new: str, **fields) -> bool:
    return transition_by_pk(
        Notification,
        notification.pk,
        old=old,
        new=new,
        transitions=EMAIL_TRANSITIONS,
        field="email_status",
        illegal="illegal move",
        **fields,
    )


@pytest.mark.django_db
def test_transition_by_pk_makes_a_legal_move_and_writes_the_extra_fields():
    notification = _pending()

    assert _move_by_pk(notification, EmailStatus.PENDING, EmailStatus.SENDING, email_last_error="boom") is True

    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.email_status, stored.email_last_error) == (EmailStatus.SENDING, "boom")


@pytest.mark.django_db
def test_transition_by_pk_refuses_an_illegal_move_and_changes_nothing():
    notification = _pending()

    with pytest.raises(InvalidTransition, match="illegal move"):
        _move_by_pk(notification, EmailStatus.PENDING, EmailStatus.SENT)

    assert _email_status(notification) == EmailStatus.PENDING


@pytest.mark.django_db
def test_transition_by_pk_that_lost_the_race_returns_false_and_writes_nothing():
    notification = _pending()
    assert _move_by_pk(notification, EmailStatus.PENDING, EmailStatus.SENDING) is True

    assert _move_by_pk(notification, EmailStatus.PENDING, EmailStatus.SENDING, email_last_error="boom") is False

    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.email_status, stored.email_last_error) == (EmailStatus.SENDING, "")


# --- removed_on_failure() -----------------------------------------------------------


def test_files_written_are_deleted_when_the_block_raises(tmp_path):
    storage = FileSystemStorage(location=tmp_path)

    written_names: list[str] = []

    def write_then_fail() -> None:
        with removed_on_failure(storage) as written:
            written_names.append(written.add(storage.save("photo.jpg", ContentFile(b"jpeg"))))
            assert storage.exists(written_names[0])
            raise RuntimeError("the transaction rolled back")

    with pytest.raises(RuntimeError):
        write_then_fail()

    assert written_names
    assert not storage.exists(written_names[0])


def test_files_written_are_kept_when_the_block_succeeds(tmp_path):
    storage = FileSystemStorage(location=tmp_path)

    with removed_on_failure(storage) as written:
        name = written.add(storage.save("photo.jpg", ContentFile(b"jpeg")))

    assert storage.exists(name)
    assert written == [name]


# --- hooks --------------------------------------------------------------------------


def test_hook_without_provider_raises_hook_not_provided():
    hook: Hook[[int], str] = Hook("test.unprovided")

    assert not hook.provided
    with pytest.raises(HookNotProvided, match=r"test\.unprovided"):
        hook(1)


def test_hook_answers_with_its_registered_provider():
    hook: Hook[[int], str] = Hook("test.provided")
    hook.register(lambda number: f"answer {number}")

    assert hook.provided
    assert hook(7) == "answer 7"


def test_hook_list_missing_a_required_provider_raises_hook_not_provided():
    hook: HookList[[int], int] = HookList("test.export", required=("actors", "usage_requests"))
    hook.register("actors", lambda number: number)

    with pytest.raises(HookNotProvided, match="usage_requests"):
        hook(1)


def test_hook_list_answers_from_every_registered_provider_in_order():
    hook: HookList[[int], int] = HookList("test.export", required=("actors",))
    hook.register("actors", lambda number: number + 1)
    hook.register("creators", lambda number: number * 10)

    assert hook(2) == {"actors": 3, "creators": 20}
    assert list(hook(2)) == ["actors", "creators"]
