"""Counter-offers shown as a diff: the selector that compares consecutive
terms versions, and the request page marking every changed term (old value
struck through, new value highlighted)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from usage_requests.models import RequestTerms
from usage_requests.selectors import TermsChange, request_detail, terms_changes, terms_history
from usage_requests.services import usage_request_accept_counter, usage_request_counter
from usage_requests.tests.factories import GOOD_TERMS, open_actor, send_request, term_dates

pytestmark = pytest.mark.django_db


def version(number: int, **changes) -> RequestTerms:
    """An unsaved terms version: the selector needs no database."""
    fields = {
        "version": number,
        "proposed_by": "creator",
        "fee": Decimal("9000.00"),
        "currency": "CNY",
        "term_start": date(2027, 1, 1),
        "term_end": date(2027, 6, 30),
        "territory": "cn_mainland",
        "ai_training": False,
        **changes,
    }
    return RequestTerms(**fields)


# --- The selector -----------------------------------------------------------------


def test_identical_versions_have_no_changes():
    assert terms_changes(version(1), version(2, proposed_by="actor", note="Fine")) == ()


def test_a_fee_change_is_the_only_change_with_its_old_and_new_value():
    changes = terms_changes(version(1), version(2, fee=Decimal("12000.00")))
    assert changes == (TermsChange(field="fee", before=Decimal("9000.00"), after=Decimal("12000.00")),)


def test_every_term_field_is_compared_in_the_pages_order():
    later = version(
        2,
        fee=Decimal("12000"),
        currency="USD",
        term_end=date(2027, 12, 31),
        territory="worldwide",
        ai_training=True,
    )
    changes = terms_changes(version(1), later)
    assert [change.field for change in changes] == ["fee", "currency", "term", "territory", "ai_training"]
    term = changes[2]
    assert term.before == (date(2027, 1, 1), date(2027, 6, 30))
    assert term.after == (date(2027, 1, 1), date(2027, 12, 31))
    assert (changes[4].before, changes[4].after) == (False, True)


def test_the_same_fee_written_differently_is_not_a_change():
    assert terms_changes(version(1, fee=Decimal("9000")), version(2, fee=Decimal("9000.00"))) == ()


def test_history_compares_each_version_with_the_one_before_whatever_the_input_order():
    v1, v2, v3 = version(1), version(2, fee=Decimal("12000")), version(3, fee=Decimal("12000"), territory="worldwide")
    history = terms_history([v3, v1, v2])
    assert [item.terms.version for item in history] == [1, 2, 3]
    assert history[0].previous is None
    assert history[0].changes == ()
    assert history[1].previous is v1
    assert history[1].changed == {"fee"}
    assert history[2].previous is v2
    assert history[2].changed == {"territory"}


def test_history_of_no_versions_is_empty():
    assert terms_history([]) == []


# --- The request page ---------------------------------------------------------------


@pytest.fixture
def pending(actor, creator):
    return send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, fee=Decimal("9000.00"))


def counter(request, **changes) -> None:
    usage_request_counter(
        request=request,
        user=request.actor.user,
        terms_version=request.terms_version,
        **{**GOOD_TERMS, **term_dates(), "fee": Decimal("9000.00"), **changes},
    )
    request.refresh_from_db()


def card(page: str, number: int) -> str:
    start = page.index(f'data-testid="terms-v{number}"')
    return page[start : page.index("</dl>", start)]


def cell(html: str, name: str) -> str:
    match = re.search(rf'data-testid="terms-{name}">(.*?)</dd>', html, re.S)
    assert match, name
    return match.group(1)


def test_counter_offer_marks_the_fee_as_changed_with_old_struck_and_new_highlighted(login, creator, pending):
    counter(pending, fee=Decimal("12000.00"))
    latest = card(login(creator).get(f"/requests/{pending.pk}/").content.decode(), 2)
    fee = cell(latest, "fee")
    assert re.search(r'<del class="terms-old">.*9,000\.00 CNY</del>', fee)
    assert re.search(r'<ins class="terms-new">.*12,000\.00 CNY</ins>', fee)
    assert latest.count('data-testid="term-changed"') == 1
    assert "1 term changed from version 1." in latest
    for unchanged in ("term", "territory", "training"):
        assert "<del" not in cell(latest, unchanged)


def test_every_changed_term_is_marked(login, actor, pending):
    start = term_dates()["term_start"]
    counter(
        pending,
        fee=Decimal("12000"),
        currency="USD",
        term_end=start + timedelta(days=400),
        territory="worldwide",
        ai_training=True,
    )
    latest = card(login(actor).get(f"/requests/{pending.pk}/").content.decode(), 2)
    assert latest.count('data-testid="term-changed"') == 4  # fee and currency share a row
    assert "5 terms changed from version 1." in latest
    assert "<del" in cell(latest, "term")
    assert "<ins" in cell(latest, "term")
    territory = cell(latest, "territory")
    assert re.search(r"<del[^>]*>.*Mainland China</del>", territory)
    assert re.search(r"<ins[^>]*>.*Worldwide</ins>", territory)
    training = cell(latest, "training")
    assert re.search(r"<del[^>]*>.*Not permitted</del>", training)
    assert re.search(r"<ins[^>]*>.*Permitted.*</ins>", training)


def test_the_first_version_shows_no_diff(login, creator, pending):
    latest = card(login(creator).get(f"/requests/{pending.pk}/").content.decode(), 1)
    assert "<del" not in latest
    assert "term-changed" not in latest
    assert "changed from version" not in latest


def test_a_counter_with_the_same_terms_says_so(login, creator, pending):
    counter(pending)
    latest = card(login(creator).get(f"/requests/{pending.pk}/").content.decode(), 2)
    assert "The same terms as version 1." in latest
    assert "<del" not in latest


def test_each_earlier_version_is_compared_with_its_own_predecessor(login, creator, pending):
    counter(pending, fee=Decimal("12000"))
    usage_request_accept_counter(request=pending, user=creator, terms_version=2)
    pending.refresh_from_db()
    counter(pending, fee=Decimal("12000"), territory="worldwide")
    page = login(creator).get(f"/requests/{pending.pk}/").content.decode()
    assert "<del" in cell(card(page, 3), "territory")
    assert "<del" not in cell(card(page, 3), "fee")
    assert "<del" in cell(card(page, 2), "fee")
    assert "<del" not in cell(card(page, 2), "territory")


def test_the_diff_in_chinese(login, other_actor, creator):
    request = send_request(
        actor=open_actor(other_actor.actor_profile), creator=creator.creator_profile, fee=Decimal("9000.00")
    )
    counter(request, fee=Decimal("12000"))
    page = login(other_actor).get(f"/requests/{request.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    latest = card(page, 2)
    assert "已更改" in latest
    assert "与第 1 版相比，有 1 项条款更改。" in latest


def test_the_diff_costs_no_query(creator, pending):
    counter(pending, fee=Decimal("12000"))
    loaded = request_detail(creator).get(pk=pending.pk)
    with CaptureQueriesContext(connection) as queries:
        history = terms_history(list(loaded.terms.all()))
    assert len(queries.captured_queries) == 0
    assert history[-1].changed == {"fee"}
