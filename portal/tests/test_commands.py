from datetime import date
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import override_settings

from actors.models import ActorProfile
from creators.models import CreatorProfile
from marketplace.models import AuditEvent, User
from marketplace.roles import MODERATORS_GROUP
from usage_requests.models import Contract, ContractStatus, RequestStatus, UsageRequest

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createmoderator_creates_a_verified_account_without_password():
    output = run("createmoderator", "Mod@Example.com")
    user = User.objects.get(email="mod@example.com")
    assert user.groups.filter(name=MODERATORS_GROUP).exists()
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert "Forgot password" in output
    assert AuditEvent.objects.filter(action="role.added", data__role="moderator").exists()


def test_createmoderator_promotes_an_existing_user(actor):
    run("createmoderator", actor.email)
    assert actor.groups.filter(name=MODERATORS_GROUP).exists()
    assert actor.check_password("correct horse battery")


def test_createmoderator_rejects_a_malformed_email():
    with pytest.raises(CommandError):
        call_command("createmoderator", "not-an-email")
    assert not User.objects.exists()


def active_codes() -> list[str]:
    return list(
        Contract.objects.filter(status=ContractStatus.ACTIVE)
        .order_by("activated_at", "id")
        .values_list("licence_code", flat=True)
    )


@override_settings(DEBUG=True)
def test_seed_demo_is_idempotent_and_prints_logins():
    first = run("seed_demo")
    counts = (User.objects.count(), ActorProfile.objects.count(), CreatorProfile.objects.count())
    requests = list(UsageRequest.objects.order_by("pk").values_list("pk", "status"))
    contracts = list(Contract.objects.order_by("pk").values_list("pk", "status"))
    codes = active_codes()
    second = run("seed_demo")
    assert counts == (User.objects.count(), ActorProfile.objects.count(), CreatorProfile.objects.count())
    assert requests == list(UsageRequest.objects.order_by("pk").values_list("pk", "status"))
    assert contracts == list(Contract.objects.order_by("pk").values_list("pk", "status"))
    assert {status for _pk, status in requests} == set(RequestStatus.values)
    assert len(codes) == 2
    for code in codes:
        assert code in first
        assert code in second
    assert counts[1] == 30
    assert counts[2] == 4
    assert "Demo logins" in first
    assert "Demo logins" in second
    assert "0 accounts created" in second
    moderator = User.objects.get(email="moderator@demo.consentcast.localhost")
    assert moderator.groups.filter(name=MODERATORS_GROUP).exists()
    assert moderator.check_password("consentcast-demo")
    assert ActorProfile.objects.filter(stage_name="林晓雨").exists()


@override_settings(DEBUG=True)
def test_seed_demo_gives_the_moderator_work_and_an_authenticator():
    from allauth.mfa.models import Authenticator

    from moderation.models import Dispute, IdentityVerification, Report

    first = run("seed_demo")
    second = run("seed_demo")
    moderator = User.objects.get(email="moderator@demo.consentcast.localhost")
    assert Authenticator.objects.filter(user=moderator, type=Authenticator.Type.TOTP).count() == 1
    secret_line = next(line for line in first.splitlines() if "TOTP secret" in line)
    assert secret_line in second  # the same secret, not a new one each run
    assert IdentityVerification.objects.filter(status="submitted").count() == 1
    (dispute,) = Dispute.objects.filter(status="open")
    assert dispute.contract.status == "suspended"
    assert f"Suspended (dispute):\n  {dispute.contract.licence_code}" in first
    assert Report.objects.filter(status="open").count() == 1
    code = run("demo_totp_code").strip()
    assert len(code) == 6
    assert code.isdigit()


@override_settings(DEBUG=True)
def test_seed_demo_prints_an_in_force_code_first_and_every_code_under_its_true_verdict(client):
    import re

    output = run("seed_demo")
    codes = re.findall(r"CC-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", output)
    assert len(codes) == Contract.objects.count() == 4
    first = client.get(f"/api/v1/licenses/{codes[0]}/").json()
    assert (first["status"], first["active"]) == ("active", True)
    assert output.index("In force:") < output.index(codes[0])
    statuses = {code: client.get(f"/api/v1/licenses/{code}/").json()["status"] for code in codes}
    assert sorted(statuses.values()) == ["active", "awaiting_signatures", "signed", "suspended"]
    headings = {"active": "In force:", "signed": "Signed, starts later:", "suspended": "Suspended (dispute):"}
    headings["awaiting_signatures"] = "Awaiting signatures:"
    for code, status in statuses.items():
        section = output[: output.index(code)]
        # The last heading before a code is its verdict's.
        assert max(headings.values(), key=section.rfind) == headings[status]
    assert "Active licences" not in output


@override_settings(DEBUG=True)
def test_seed_demo_lets_a_newcomer_download_an_original_under_the_licence_in_force(client):
    from usage_requests.selectors import licensed_photos

    (contract,) = Contract.objects.in_force(date.today()) if run("seed_demo") else []
    photo = licensed_photos(contract).first()
    client.force_login(contract.creator.user)
    response = client.get(f"/actors/photos/{photo.pk}/original/")
    assert response.status_code == 200


@override_settings(DEBUG=True)
def test_seed_demo_shows_generated_outputs_in_every_review_state(client, django_capture_on_commit_callbacks):
    from usage_requests.models import GeneratedOutput

    with django_capture_on_commit_callbacks(execute=True):
        run("seed_demo")
    (contract,) = Contract.objects.in_force(date.today())
    outputs = {output.status: output for output in GeneratedOutput.objects.filter(contract=contract)}
    assert sorted(outputs) == ["approved", "pending", "rejected"]
    assert outputs["pending"].kind == "video"
    assert outputs["pending"].duration_seconds == pytest.approx(2.0, abs=0.1)
    assert outputs["rejected"].review_note
    outputs["approved"].refresh_from_db()
    assert outputs["approved"].labelled  # the creator's labelled copy, made on approval
    licence = client.get(f"/api/v1/licenses/{contract.licence_code}/").json()
    assert [row["sha256"] for row in licence["approved_outputs"]] == [outputs["approved"].sha256]
    client.force_login(contract.actor.user)
    review = client.get(f"/contracts/{contract.pk}/outputs/review/")
    assert review.status_code == 200
    assert review.content.count(b'data-testid="pending-output"') == 1


@override_settings(DEBUG=True)
def test_seed_demo_gives_creator1_one_working_api_token(client):
    from rest_framework.test import APIClient

    from marketplace.models import ApiToken
    from portal.management.commands.seed_demo import DEMO_API_KEY

    first = run("seed_demo")
    run("seed_demo")
    (token,) = ApiToken.objects.all()
    assert token.user.email == "creator1@demo.consentcast.localhost"
    assert DEMO_API_KEY in first
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {DEMO_API_KEY}")
    response = api.get("/api/v1/actors/?q=lin")
    assert response.status_code == 200
    assert response.json()["results"]


@override_settings(DEBUG=False)
def test_seed_demo_sets_no_password_without_debug():
    output = run("seed_demo")
    assert "Demo logins" not in output
    assert "TOTP secret" not in output
    from marketplace.models import ApiToken

    assert not ApiToken.objects.exists()
    codes = active_codes()
    assert len(codes) == 2
    # Licence codes are public, so they print without DEBUG too.
    assert all(code in output for code in codes)
    assert not User.objects.filter(email="actor1@demo.consentcast.localhost").get().has_usable_password()


@pytest.mark.django_db(transaction=True)
def test_moderators_group_survives_a_database_flush():
    """Transactional tests flush the database; post_migrate puts the group back."""
    from django.contrib.auth.models import Group

    call_command("flush", interactive=False, verbosity=0)
    group = Group.objects.get(name=MODERATORS_GROUP)
    assert group.permissions.filter(codename="view_auditevent").exists()
