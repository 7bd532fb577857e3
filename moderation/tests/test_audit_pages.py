"""The audit log's keyset pages: "newer" and "older" carry a signed
cursor; no COUNT and no OFFSET over the table; the filters survive paging;
a page number or a cursor the portal did not write gives the first page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.models import AuditEvent
from marketplace.services import audit

pytestmark = pytest.mark.django_db

AUDIT = "/moderation/audit/"


def targets(response) -> list[str]:
    return re.findall(r"target:n\d+", response.content.decode())


def link(response, name: str) -> str:
    found = re.search(rf'data-testid="{name}" href="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else ""


@pytest.fixture
def logins(mfa_moderator):
    """55 warnings, the last five at the same instant (ties broken by id),
    and a sign-out that the warnings filter leaves out."""
    start = timezone.now() - timedelta(hours=2)
    for n in range(55):
        with time_machine.travel(start + timedelta(minutes=min(n, 50)), tick=False):
            audit(action=AuditEvent.Action.USER_WARNED, actor=mfa_moderator, target=f"target:n{n}")
    audit(action=AuditEvent.Action.LOGOUT, actor=mfa_moderator, target="target:n999")


def test_a_page_number_is_ignored_and_the_newest_page_shows(moderator_client, logins):
    response = moderator_client.get(AUDIT, {"page": "999999"})
    assert response.status_code == 200
    assert targets(response)[0] == "target:n999"


def test_older_and_newer_walk_every_row_once_and_keep_the_filters(moderator_client, logins):
    first = moderator_client.get(AUDIT, {"action": AuditEvent.Action.USER_WARNED})
    assert targets(first) == [f"target:n{n}" for n in range(54, 4, -1)]
    assert link(first, "newer") == ""
    older = link(first, "older")
    assert older.startswith("?action=moderation.user_warned&cursor=")
    second = moderator_client.get(AUDIT + older)
    assert targets(second) == [f"target:n{n}" for n in range(4, -1, -1)]
    assert link(second, "older") == ""
    back = moderator_client.get(AUDIT + link(second, "newer"))
    assert targets(back) == targets(first)


def test_walking_older_to_the_end_shows_every_event_once(moderator_client, logins):
    pages = [moderator_client.get(AUDIT)]
    while link(pages[-1], "older"):
        pages.append(moderator_client.get(AUDIT + link(pages[-1], "older")))
    seen = [target for page in pages for target in targets(page)]
    assert sorted(seen) == sorted([f"target:n{n}" for n in range(55)] + ["target:n999"])


@pytest.mark.parametrize(
    "cursor",
    ["abc", "", "x" * 5000, "WyJvIiwiMjAyNS0wMS0wMVQwMDowMDowMCswMDowMCIsMV0:forged:sig", "%00", "[1,2,3]"],
)
def test_a_cursor_the_portal_did_not_write_gives_the_first_page(moderator_client, logins, cursor):
    response = moderator_client.get(AUDIT, {"cursor": cursor})
    assert response.status_code == 200
    assert targets(response)[0] == "target:n999"


def test_a_cursor_of_another_page_gives_the_first_page(moderator_client, logins):
    foreign = signing.dumps(["o", timezone.now().isoformat(), 10], salt="actors.access-log.cursor")
    response = moderator_client.get(AUDIT, {"cursor": foreign})
    assert targets(response)[0] == "target:n999"


def test_the_audit_page_runs_no_count_and_no_offset(moderator_client, logins):
    moderator_client.get(AUDIT)
    first = moderator_client.get(AUDIT)
    with CaptureQueriesContext(connection) as context:
        assert moderator_client.get(AUDIT + link(first, "older")).status_code == 200
    on_audit = [q["sql"] for q in context.captured_queries if "marketplace_auditevent" in q["sql"]]
    assert len(on_audit) == 1
    assert "COUNT(" not in on_audit[0].upper()
    assert "OFFSET" not in on_audit[0].upper()


def test_older_pages_cost_the_same_number_of_queries(moderator_client, logins, django_assert_num_queries):
    moderator_client.get(AUDIT)
    with CaptureQueriesContext(connection) as first:
        response = moderator_client.get(AUDIT)
    with django_assert_num_queries(len(first.captured_queries)):
        moderator_client.get(AUDIT + link(response, "older"))


def test_event_details_are_named_in_the_readers_language(moderator_client, mfa_moderator):
    audit(
        action=AuditEvent.Action.USER_WARNED,
        actor=mfa_moderator,
        target="target:details",
        data={"reason": "Spam im Chat", "as_moderator": True, "unheard_of": "kept"},
    )
    mfa_moderator.preferred_language = "zh-hans"
    mfa_moderator.save(update_fields=["preferred_language"])

    page = moderator_client.get(AUDIT, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "理由:</span> Spam im Chat" in page  # the label translated, the recorded text as written
    assert "以版主身份:</span> 是" in page
    assert "unheard_of:</span> kept" in page
    assert "reason:" not in page
