"""The navigation's way to the moderators' work (issue 17): a link to
/moderation/ with the total of the waiting queues, counted in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.tests.factories import photo_for
from moderation.models import Report, ReportStatus
from moderation.selectors import open_queue_total, queue_summary
from moderation.tests.test_workplace import a_dispute, a_flagged_photo, a_report, a_verification
from usage_requests.tests.factories import open_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(actor, other_actor, creator):
    """One waiting item in each queue, plus a dismissed report that does not wait."""
    actor_profile = open_actor(actor.actor_profile)
    a_verification(other_actor.actor_profile)
    a_dispute(actor_profile, creator)
    a_report(actor, creator)
    a_flagged_photo(actor_profile, photo_for(other_actor.actor_profile))
    dismissed = a_report(other_actor, creator)
    Report.objects.filter(pk=dismissed.pk).update(status=ReportStatus.DISMISSED)


def test_the_total_is_the_sum_of_the_queues_in_one_query(waiting, moderator, django_assert_num_queries):
    expected = sum(queue["count"] for queue in queue_summary(user=moderator))
    assert expected == 4
    with django_assert_num_queries(1):
        assert open_queue_total() == expected


def test_the_total_is_zero_when_nothing_waits(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert open_queue_total() == 0


def test_a_moderators_navigation_links_to_the_queues_with_their_total(login, moderator, waiting):
    page = login(moderator).get("/notifications/").content.decode()
    assert 'href="/moderation/"' in page
    assert 'data-testid="moderation-waiting">4<' in page
    assert "Moderation, 4 items waiting" in page


def test_the_badge_costs_one_query_per_page_however_long_the_queues(login, moderator, waiting, actor, creator):
    client = login(moderator)
    client.get("/notifications/")  # warm caches
    with CaptureQueriesContext(connection) as with_items:
        client.get("/notifications/")
    for _ in range(3):
        a_report(actor, creator)
    with CaptureQueriesContext(connection) as with_more:
        page = client.get("/notifications/").content.decode()
    assert len(with_more.captured_queries) == len(with_items.captured_queries)
    assert 'data-testid="moderation-waiting">7<' in page
    unions = [query for query in with_more.captured_queries if "UNION ALL" in query["sql"]]
    assert len(unions) == 1


def test_others_have_no_moderation_link_and_no_count_query(login, actor, waiting):
    client = login(actor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/notifications/").content.decode()
    assert 'href="/moderation/"' not in page
    assert not [query for query in queries.captured_queries if "UNION ALL" in query["sql"]]
