"""The public licence check: /verify/ and /verify/<code>/, their verdicts,
what they never show, and the per-address rate limit."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from marketplace.ratelimit import hit
from usage_requests.models import Contract, ContractStatus
from usage_requests.services import contract_revoke, contract_suspend, contract_void
from usage_requests.services.contracts import contract_expire_unsigned
from usage_requests.tests.factories import accepted_contract, active_contract, open_actor

pytestmark = pytest.mark.django_db

ACTOR_LEGAL = "Lin Xiaoyu Legal"
CREATOR_LEGAL = "Lumen Pictures Ltd"


@pytest.fixture
def active(actor, creator) -> Contract:
    """An active contract with a vetoed third shot and a fee of 4,321.50."""
    return active_contract(
        actor=open_actor(actor.actor_profile), creator=creator.creator_profile, veto=1, fee="4321.50"
    )


def check(client, contract: Contract, **extra):
    return client.get(f"/verify/{contract.licence_code}/", **extra)


def within_term(contract: Contract):
    """The factories' terms start tomorrow; travel to their first day."""
    return time_machine.travel(contract.term_start.isoformat() + "T12:00:00Z", tick=False)


def page(response) -> str:
    return response.content.decode()


# --- The form ----------------------------------------------------------------------


def test_verify_form_is_public(anonymous):
    response = anonymous.get("/verify/")
    assert response.status_code == 200
    assert 'name="code"' in page(response)


def test_verify_wrong_method_is_405(anonymous, active):
    assert anonymous.post("/verify/", {"code": active.licence_code}).status_code == 405
    assert anonymous.post(f"/verify/{active.licence_code}/").status_code == 405


def test_a_typed_code_is_normalised_and_redirected(anonymous, active):
    typed = active.licence_code.lower().replace("-", " ")
    response = anonymous.get("/verify/", {"code": f"  {typed} "})
    assert response.status_code == 302
    assert response.url == f"/verify/{active.licence_code}/"


@pytest.mark.parametrize("code", ["", "hello", "CC-0000-1111-OOOO", "CC-ABCD-EFGH", "CC-ABCD-EFGH-JKMN-P"])
def test_an_unparseable_code_is_a_clear_form_error(anonymous, code):
    response = anonymous.get("/verify/", {"code": code})
    assert response.status_code == 400
    assert "invalid-feedback" in page(response)


def test_an_unparseable_code_explains_what_a_code_looks_like(anonymous):
    response = anonymous.get("/verify/", {"code": "CC-0000-1111-OOOO"})
    assert "This is not a licence code." in page(response)


# --- The certificate ---------------------------------------------------------------


def test_active_licence_shows_public_facts_from_the_snapshot(anonymous, active):
    project = active.project
    project.title = "Renamed live"
    project.save()
    with within_term(active):
        response = check(anonymous, active)
    assert response.status_code == 200
    body = page(response)
    assert "Valid licence" in body
    assert 'data-valid="true"' in body
    assert "Lin Xiaoyu" in body
    assert "Lumen Pictures" in body
    assert active.snapshot["project"]["title"] in body
    assert "Renamed live" not in body
    assert "2 shots" in body
    assert "Mainland China" in body
    assert "Not permitted" in body
    assert active.terms_hash in body
    assert active.licence_code in body
    assert active.term_end.isoformat() in body
    assert response["X-Robots-Tag"] == "noindex"


def test_certificate_shows_nothing_private(anonymous, active):
    body = page(check(anonymous, active))
    assert ACTOR_LEGAL not in body
    assert CREATOR_LEGAL not in body
    assert "4321" not in body
    assert "4,321" not in body
    assert "CNY" not in body
    for shot in active.snapshot["shots"]:
        assert shot["description"] not in body
    assert active.actor.user.email not in body
    assert active.creator.user.email not in body


def test_unknown_code_is_404(anonymous):
    assert anonymous.get("/verify/CC-2345-6789-ABCD/").status_code == 404


def test_garbage_code_in_the_path_is_404(anonymous):
    assert anonymous.get("/verify/not-a-code/").status_code == 404


def test_a_code_in_another_form_redirects_to_the_canonical_url(anonymous, active):
    compact = active.licence_code.replace("-", "").lower()
    response = anonymous.get(f"/verify/{compact}/")
    assert response.status_code == 301
    assert response.url == f"/verify/{active.licence_code}/"


def test_signed_in_users_see_the_same_certificate(login, other_creator, active):
    client = login(other_creator)
    with within_term(active):
        assert "Valid licence" in page(check(client, active))


def test_certificate_renders_in_chinese(client, active):
    response = check(client, active, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page(response)
    assert "跳到正文" in page(response)


def test_unsigned_licence_is_not_in_force(anonymous, actor, creator):
    contract = accepted_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    body = page(check(anonymous, contract))
    assert "Not in force: awaiting signatures" in body
    assert 'data-valid="false"' in body


def test_revoked_licence_says_so(anonymous, actor, active):
    contract_revoke(contract=active, user=actor, reason="private reason the public never reads")
    body = page(check(anonymous, active))
    assert "Not in force: revoked" in body
    # The badge speaks the shared verdict vocabulary (issue 17), no longer the stored status's label.
    assert 'data-verdict="revoked"' in body
    assert "Revoked</span>" in body
    assert "private reason" not in body
    assert "text-bg-danger" in body


def test_suspended_licence_is_under_dispute_then_voided(anonymous, moderator, active):
    contract_suspend(contract=active, by=None, reason="dispute opened")
    body = page(check(anonymous, active))
    assert "Not in force: under dispute" in body
    assert "text-bg-warning" in body
    contract_void(contract=active, by=moderator, reason="the shots were misused")
    body = page(check(anonymous, active))
    assert "Not in force: voided" in body
    assert "the shots were misused" not in body


def test_cancelled_licence_says_so(anonymous, actor, creator):
    contract = accepted_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    assert contract_expire_unsigned(contract_id=contract.pk, now=contract.sign_deadline)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CANCELLED
    assert "Not in force: cancelled" in page(check(anonymous, contract))


def test_active_licence_before_its_term_starts_is_not_yet_in_force(anonymous, active):
    day_before = active.term_start - timedelta(days=1)
    with time_machine.travel(day_before.isoformat() + "T12:00:00Z", tick=False):
        body = page(check(anonymous, active))
    assert "Signed, not yet in force" in body


def test_active_licence_within_its_term_is_valid(anonymous, active):
    with within_term(active):
        assert "Valid licence" in page(check(anonymous, active))
    with time_machine.travel(active.term_end.isoformat() + "T12:00:00Z", tick=False):
        assert "Valid licence" in page(check(anonymous, active))


def test_active_licence_past_its_term_end_is_not_in_force(anonymous, active):
    """Between the term's end and the nightly sweep that completes it."""
    with time_machine.travel((active.term_end + timedelta(days=1)).isoformat() + "T12:00:00Z", tick=False):
        assert "Not in force: the term has ended" in page(check(anonymous, active))


# --- Rate limit --------------------------------------------------------------------


@override_settings(LICENCE_CHECKS_PER_MINUTE=2)
def test_too_many_checks_from_one_address_get_429_with_retry_after(anonymous, active):
    assert check(anonymous, active).status_code == 200
    assert anonymous.get("/verify/", {"code": active.licence_code}).status_code == 302
    response = check(anonymous, active)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many attempts" in page(response)
    assert anonymous.get("/verify/").status_code == 429
    # Another address still gets its answer.
    assert check(anonymous, active, REMOTE_ADDR="203.0.113.9").status_code == 200


@override_settings(LICENCE_CHECKS_PER_MINUTE=2)
def test_the_limit_resets_in_the_next_minute(anonymous, active):
    with time_machine.travel("2030-01-01T10:00:10Z", tick=False):
        for _ in range(2):
            check(anonymous, active)
        assert check(anonymous, active).status_code == 429
    with time_machine.travel("2030-01-01T10:01:01Z", tick=False):
        assert check(anonymous, active).status_code == 200


@override_settings(LICENCE_CHECKS_PER_MINUTE=2)
def test_unknown_codes_count_towards_the_limit(anonymous, active):
    for _ in range(2):
        assert anonymous.get("/verify/CC-2345-6789-ABCD/").status_code == 404
    assert check(anonymous, active).status_code == 429


def test_hit_counts_within_a_window_and_reports_the_wait():
    with time_machine.travel("2030-01-01T10:00:45Z", tick=False):
        assert hit("k", limit=2, window_seconds=60) == (True, 15)
        assert hit("k", limit=2, window_seconds=60) == (True, 15)
        assert hit("k", limit=2, window_seconds=60) == (False, 15)
        assert hit("other", limit=2, window_seconds=60)[0] is True


def test_hit_survives_the_key_expiring_between_add_and_incr(monkeypatch):
    real_add = cache.add
    calls = []

    def add_then_expire(key, value, timeout=None):
        calls.append(key)
        if len(calls) == 1:
            return False  # as if the key existed, then it expires before incr
        return real_add(key, value, timeout=timeout)

    monkeypatch.setattr(cache, "add", add_then_expire)
    assert hit("gone", limit=1, window_seconds=60)[0] is True
    assert len(calls) == 2


# --- Unknown and malformed codes (issue 17) ------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_code_gets_the_portals_own_page_with_the_check_box(anonymous, debug):
    with override_settings(DEBUG=debug):
        response = anonymous.get("/verify/CC-2345-6789-ABCD/")
    body = page(response)
    assert response.status_code == 404
    assert "No licence has this code" in body
    assert 'action="/verify/"' in body
    assert 'name="code"' in body
    assert "CC-2345-6789-ABCD" in body
    assert response["X-Robots-Tag"] == "noindex"


def test_the_unknown_code_page_is_in_the_readers_language(anonymous):
    with override_settings(DEBUG=True):
        response = anonymous.get("/verify/CC-2345-6789-ABCD/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "没有许可使用这个编码" in page(response)
    assert "No licence has this code" not in page(response)


@pytest.mark.parametrize("code", ["not-a-code", "CC-OOOO-IIII-1111", "<img src=x onerror=alert(1)>", "x" * 300])
def test_a_malformed_code_in_the_path_explains_what_a_code_looks_like(anonymous, code):
    response = anonymous.get(f"/verify/{code}/")
    body = page(response)
    assert response.status_code == 404
    assert "No licence has this code" in body
    assert "A code looks like CC-XXXX-XXXX-XXXX" in body
    assert "<img src=x" not in body


def test_an_empty_code_is_a_clear_error(anonymous):
    response = anonymous.get("/verify/", {"code": "  "})
    assert response.status_code == 400
    assert "Enter a licence code, for example CC-7K2M-9QXH-4TRB." in page(response)


def test_the_check_page_explains_every_verdict(anonymous):
    from usage_requests.verdicts import VerdictKey

    body = page(anonymous.get("/verify/"))
    for key in VerdictKey.ALL:
        assert f'data-verdict="{key}"' in body
    assert "Signed, starts later" in body
    assert "In force" in body


# --- Approved generated outputs and "Check a file" (issue 16) ----------------------------


def _reviewed(contract: Contract, status: str, seed: int, shot_number: int = 1, **fields):
    from django.utils import timezone

    from usage_requests.tests.factories import stored_output

    return stored_output(
        contract, shot_number=shot_number, status=status, seed=seed, reviewed_at=timezone.now(), **fields
    )


def test_the_certificate_lists_approved_outputs_only(anonymous, active):
    approved = _reviewed(active, "approved", seed=1, shot_number=2, tool="Secret Diffusion 9")
    rejected = _reviewed(active, "rejected", seed=2, review_note="Not my smile")
    pending = _reviewed(active, "pending", seed=3)
    body = page(check(anonymous, active))
    assert "Approved generated outputs" in body
    assert approved.sha256 in body
    assert f'data-copy="{approved.sha256}"' in body
    assert "Shot 2" in body
    assert body.count('data-testid="approved-output"') == 1
    for private in (rejected.sha256, pending.sha256, "Secret Diffusion 9", "Not my smile", approved.file.name):
        assert private not in body
    assert "/outputs/" not in body.replace("/verify/outputs/", "")


def test_the_certificate_says_when_no_output_is_approved_yet(anonymous, active):
    _reviewed(active, "pending", seed=3)
    body = page(check(anonymous, active))
    assert 'data-testid="no-approved-outputs"' in body
    assert "The actor has not approved any generated output under this licence yet." in body


def test_the_certificate_lists_outputs_in_chinese(anonymous, active):
    _reviewed(active, "approved", seed=1)
    body = page(check(anonymous, active, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "已批准的生成作品" in body
    assert "Approved generated outputs" not in body


def test_the_certificate_reads_outputs_in_a_bounded_number_of_queries(anonymous, active, django_assert_max_num_queries):
    _reviewed(active, "approved", seed=1)
    with django_assert_max_num_queries(20) as few:
        check(anonymous, active)
    for seed in range(2, 8):
        _reviewed(active, "approved", seed=seed, shot_number=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = page(check(anonymous, active))
    assert body.count('data-testid="approved-output"') == 7


def test_the_check_page_has_a_file_box_that_never_uploads(anonymous):
    body = page(anonymous.get("/verify/"))
    assert 'data-testid="output-check-form"' in body
    assert 'action="/verify/outputs/"' in body
    assert 'name="sha256"' in body
    # The file input has no name: nothing of the file is ever sent.
    assert 'type="file" class="form-control" id="output-check-file"' in body
    assert 'name="file"' not in body
    assert 'enctype="multipart/form-data"' not in body
    assert "/static/js/output-check.js" in body
    assert "<script>" not in body


def test_a_pasted_hash_goes_to_its_page(anonymous):
    response = anonymous.get("/verify/outputs/", {"sha256": "  " + "AB" * 32 + " "})
    assert response.status_code == 302
    assert response.url == f"/verify/outputs/{'ab' * 32}/"


@pytest.mark.parametrize("value", ["", "abc", "g" * 64])
def test_a_malformed_pasted_hash_is_a_form_error(anonymous, value):
    response = anonymous.get("/verify/outputs/", {"sha256": value})
    assert response.status_code == 400
    assert "invalid-feedback" in page(response)


def test_the_output_page_names_the_licence_in_force(anonymous, active):
    output = _reviewed(active, "approved", seed=1, shot_number=2, tool="Secret Diffusion 9", review_note="Nice")
    with within_term(active):
        response = anonymous.get(f"/verify/outputs/{output.sha256}/")
    body = page(response)
    assert response.status_code == 200
    assert 'data-approved="true"' in body
    assert f"Approved output of licence {active.licence_code}, in force." in body
    assert f'href="/verify/{active.licence_code}/"' in body
    assert 'data-verdict="active"' in body
    assert "Lin Xiaoyu" in body
    assert response["X-Robots-Tag"] == "noindex"
    for private in ("Secret Diffusion 9", "Nice</", output.file.name, ACTOR_LEGAL, CREATOR_LEGAL):
        assert private not in body


def test_the_output_page_says_the_licence_was_revoked(anonymous, actor, active):
    output = _reviewed(active, "approved", seed=1)
    contract_revoke(contract=active, user=actor, reason="private reason")
    body = page(anonymous.get(f"/verify/outputs/{output.sha256}/"))
    assert 'data-approved="false"' in body
    assert "which the actor revoked on" in body
    assert 'data-verdict="revoked"' in body
    assert "private reason" not in body


def test_the_output_page_in_chinese(anonymous, active):
    output = _reviewed(active, "approved", seed=1)
    with within_term(active):
        body = page(anonymous.get(f"/verify/outputs/{output.sha256}/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert '<html lang="zh-Hans">' in body
    assert "有效" in body
    assert "Approved output of licence" not in body


def test_an_upper_case_hash_redirects_to_the_canonical_page(anonymous, active):
    output = _reviewed(active, "approved", seed=1)
    response = anonymous.get(f"/verify/outputs/{output.sha256.upper()}/")
    assert response.status_code == 301
    assert response.url == f"/verify/outputs/{output.sha256}/"


@pytest.mark.parametrize("status", ["rejected", "pending"])
def test_a_rejected_or_pending_file_is_not_recognised_on_the_page(anonymous, active, status):
    output = _reviewed(active, status, seed=2)
    response = anonymous.get(f"/verify/outputs/{output.sha256}/")
    assert response.status_code == 404
    assert "No approved output has this SHA-256." in page(response)
    assert active.licence_code not in page(response)


@pytest.mark.parametrize("value", ["abc", "g" * 64, "<img src=x onerror=alert(1)>"])
def test_a_malformed_hash_on_the_page_is_400(anonymous, value):
    response = anonymous.get(f"/verify/outputs/{value}/")
    assert response.status_code == 400
    assert "This is not a SHA-256" in page(response)
    assert "<img src=x" not in page(response)


def test_the_output_page_is_read_only(anonymous):
    assert anonymous.post(f"/verify/outputs/{'a' * 64}/").status_code == 405
    assert anonymous.post("/verify/outputs/", {"sha256": "a" * 64}).status_code == 405


@override_settings(LICENCE_CHECKS_PER_MINUTE=2)
def test_output_pages_count_towards_the_limit(anonymous, active):
    assert anonymous.get(f"/verify/outputs/{'a' * 64}/").status_code == 404
    assert check(anonymous, active).status_code == 200
    assert anonymous.get(f"/verify/outputs/{'a' * 64}/").status_code == 429
