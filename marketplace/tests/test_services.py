import pytest
from django.core import mail
from django.db import connection

from actors.models import ActorProfile
from actors.services import actor_profile_create
from creators.models import CreatorProfile
from marketplace.exceptions import InvalidTransition, RoleAlreadyHeld
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, EmailStatus, Notification
from marketplace.notifications import WELCOME_ACTOR
from marketplace.roles import MODERATORS_GROUP
from marketplace.services import (
    audit,
    moderator_grant,
    notification_email_transition,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
)
from marketplace.tests.factories import NotificationFactory, UserFactory
from portal.services import onboarding_role_add

pytestmark = pytest.mark.django_db


def test_notify_writes_notification_and_emails_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(recipient=user, kind=WELCOME_ACTOR, event_key="e:1", params={"name": "Maya"})
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[ConsentCast] Welcome to ConsentCast, Maya"
    assert mail.outbox[0].to == [user.email]


def test_notify_same_event_twice_creates_one_notification_and_one_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipient=user, kind=WELCOME_ACTOR, event_key="e:1", params={"name": "Maya"})
        second = notify(recipient=user, kind=WELCOME_ACTOR, event_key="e:1", params={"name": "Maya"})
    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1


def test_notify_without_email_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(recipient=user, kind=WELCOME_ACTOR, event_key="e:1", params={"name": "M"}, email=False)
    assert callbacks == []
    assert notification.email_status == EmailStatus.NOT_WANTED
    assert mail.outbox == []


def test_notify_inactive_user_gets_no_email(django_capture_on_commit_callbacks):
    user = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=user, kind=WELCOME_ACTOR, event_key="e:1", params={"name": "M"})
    assert notification.email_status == EmailStatus.NOT_WANTED
    assert mail.outbox == []


def test_notification_renders_in_active_language():
    from django.utils import translation

    notification = NotificationFactory(params={"name": "林晓雨"})
    with translation.override("zh-hans"):
        assert notification.title == "欢迎加入 ConsentCast，林晓雨"
    with translation.override("en"):
        assert notification.title == "Welcome to ConsentCast, 林晓雨"


def test_notification_of_unknown_kind_still_renders():
    notification = NotificationFactory(kind="gone.kind", params={})
    assert notification.title == "You have a new notification"


def test_notification_with_missing_params_renders_template_instead_of_failing():
    notification = NotificationFactory(params={})
    assert "Welcome to ConsentCast" in notification.title


def test_mark_read_sets_time_once():
    notification = NotificationFactory()
    notification_mark_read(notification=notification)
    first = Notification.objects.get(pk=notification.pk).read_at
    assert first is not None
    notification_mark_read(notification=notification)
    assert Notification.objects.get(pk=notification.pk).read_at == first


def test_mark_all_read_touches_only_that_user():
    mine = NotificationFactory.create_batch(3)
    user = mine[0].recipient
    NotificationFactory.create_batch(2, recipient=user)
    theirs = NotificationFactory()
    assert notifications_mark_all_read(user=user) == 3
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_email_transition_refuses_illegal_move():
    notification = NotificationFactory(email_status=EmailStatus.SENT)
    with pytest.raises(InvalidTransition):
        notification_email_transition(notification_id=notification.pk, old=EmailStatus.SENT, new=EmailStatus.PENDING)


@pytest.mark.parametrize("status", [s for s in EmailStatus if s != EmailStatus.PENDING])
def test_email_claim_fails_unless_pending(status):
    notification = NotificationFactory(email_status=status)
    claimed = notification_email_transition(
        notification_id=notification.pk, old=EmailStatus.PENDING, new=EmailStatus.SENDING
    )
    assert claimed is False
    assert Notification.objects.get(pk=notification.pk).email_status == status


def test_audit_records_client_and_is_append_only():
    user = UserFactory()
    event = audit(action="role.added", actor=user, client=ClientInfo("203.0.113.9", "UA/1"), data={"role": "actor"})
    assert (event.actor_email, event.ip_address, event.user_agent) == (user.email, "203.0.113.9", "UA/1")
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="x")
    assert AuditEvent.objects.get(pk=event.pk).action == "role.added"


def test_deleting_a_user_keeps_their_audit_trail():
    user = UserFactory()
    event = audit(action="auth.login", actor=user)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None
    assert event.actor_email


def test_onboarding_as_actor_creates_profile_audits_and_welcomes(django_capture_on_commit_callbacks):
    user = UserFactory(preferred_language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        profile = onboarding_role_add(user=user, role="actor", name="林晓雨", client=ClientInfo("198.51.100.7"))
    assert ActorProfile.objects.get(user=user) == profile
    assert profile.slug.isascii()
    assert profile.slug
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_ADDED, actor=user)
    assert event.data == {"role": "actor"}
    assert event.ip_address == "198.51.100.7"
    assert Notification.objects.filter(recipient=user, kind="account.welcome_actor").count() == 1
    assert mail.outbox[0].subject == "[ConsentCast] 欢迎加入 ConsentCast，林晓雨"


def test_onboarding_same_role_twice_is_refused_and_changes_nothing():
    user = UserFactory()
    onboarding_role_add(user=user, role="creator", name="Lumen")
    events = AuditEvent.objects.count()
    with pytest.raises(RoleAlreadyHeld):
        onboarding_role_add(user=user, role="creator", name="Other")
    assert CreatorProfile.objects.get(user=user).display_name == "Lumen"
    assert AuditEvent.objects.count() == events


def test_one_person_can_hold_both_roles():
    user = UserFactory()
    onboarding_role_add(user=user, role="actor", name="Maya Okafor")
    onboarding_role_add(user=user, role="creator", name="Okafor Films")
    assert user.is_actor
    assert user.is_creator


def test_actor_slugs_stay_unique_for_the_same_name():
    first = actor_profile_create(user=UserFactory(), stage_name="Maya Okafor")
    second = actor_profile_create(user=UserFactory(), stage_name="Maya Okafor")
    assert first.slug == "maya-okafor"
    assert second.slug.startswith("maya-okafor-")
    assert second.slug != first.slug


def test_moderator_grant_is_idempotent_and_audited():
    user = UserFactory()
    moderator_grant(user=user)
    moderator_grant(user=user)
    assert user.groups.filter(name=MODERATORS_GROUP).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_ADDED, data__role="moderator").count() == 1


def test_moderators_group_holds_the_permissions_moderation_needs():
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name=MODERATORS_GROUP).permissions.values_list("codename", flat=True))
    assert {"view_user", "change_user", "view_auditevent", "change_actorprofile", "delete_usersession"} <= codenames


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_notify_of_one_event_creates_one_row():
    """Two threads tell the same user about the same event at the same time."""
    import threading

    user = UserFactory()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def tell():
        try:
            barrier.wait(timeout=10)
            results.append(notify(recipient=user, kind=WELCOME_ACTOR, event_key="race", params={}, email=False).pk)
        except Exception as exc:  # noqa: BLE001 - surfaced through the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tell) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(set(results)) == 1
    assert Notification.objects.filter(recipient=user, event_key="race").count() == 1


def test_broker_outage_at_commit_keeps_the_change_and_leaves_the_email_pending(
    django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from marketplace.tasks import send_notification_email

    def broker_down(pk):
        raise OperationalError("Error 111 connecting to broker. Connection refused.")

    monkeypatch.setattr(send_notification_email, "delay", broker_down)
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=user, kind=WELCOME_ACTOR, event_key="e:1", params={"name": "M"})
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert mail.outbox == []
