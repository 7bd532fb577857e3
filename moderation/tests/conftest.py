"""Moderation personas: a moderator with an authenticator app, signed in
and recently authenticated (what sensitive actions need)."""

import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.totp.internal.auth import TOTP

from conftest import make_user
from marketplace.roles import MODERATORS_GROUP

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def give_totp(user):
    TOTP.activate(user, TOTP_SECRET)
    return user


def mark_recently_authenticated(client, user, *, seconds_ago: float = 0) -> None:
    """What signing in with a password records in the session; reauthentication
    checks it (allauth's ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time() - seconds_ago}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def mfa_moderator(moderator):
    return give_totp(moderator)


@pytest.fixture
def other_moderator(db):
    from django.contrib.auth.models import Group

    user = make_user("second.moderator@example.com")
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return give_totp(user)


@pytest.fixture
def moderator_client(client, mfa_moderator):
    """The moderator, signed in with TOTP set up and a fresh authentication."""
    client.force_login(mfa_moderator)
    mark_recently_authenticated(client, mfa_moderator)
    return client


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Every moderation test stores files in its own folder (the root conftest's ``media_root``)."""
    return media_root
