"""The public questions a tool, a platform or a journalist may ask without
an account, limited per address together with the licence check:

* ``GET /api/v1/licenses/<code>/check``: may I generate this shot, with this
  usage, in this territory, on this day, for this purpose?
  (``usage_requests.licence_checks``)
* ``GET /api/v1/outputs/<sha256>/``: is this exact file an approved output
  of a licence in force, and of which? (``usage_requests.output_lookup``)
"""

import re
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from creators.models import LikenessUsage
from marketplace.places import Territory
from usage_requests.api.contracts import PublicQuestion
from usage_requests.licence_checks import Purpose, Reason, UseQuestion, licence_allows
from usage_requests.models import Contract, GeneratedOutput
from usage_requests.output_lookup import OutputLicence, output_lookup
from usage_requests.selectors import contract_by_licence_code
from usage_requests.selectors.approved_outputs import normalise_sha256
from usage_requests.services import normalise_licence_code
from usage_requests.verdicts import VERDICT_CHOICES

SHA256_PATTERN = "^[0-9a-fA-F]{64}$"
# The largest shot number a project can have (a small positive integer).
MAX_SHOT_NUMBER = 32767


class StrictDateField(serializers.DateField):
    """A day as YYYY-MM-DD exactly, as the schema's ``format: date`` says
    (Python's ISO parser would also take week dates and compact forms)."""

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class LicenceCheckQuery(serializers.Serializer):
    shot = serializers.IntegerField(
        min_value=1, max_value=MAX_SHOT_NUMBER, help_text="The shot's number in the project's shot list."
    )
    usage = serializers.ChoiceField(
        choices=LikenessUsage.choices,
        required=False,
        help_text="How the likeness appears; checked against the shot's licensed usages when given.",
    )
    territory = serializers.ChoiceField(
        choices=Territory.choices,
        required=False,
        help_text="Where the content will be distributed; `worldwide` is covered only by a worldwide licence.",
    )
    date = StrictDateField(required=False, help_text="The day of the use (YYYY-MM-DD); today when left out.")
    purpose = serializers.ChoiceField(
        choices=[(purpose, purpose) for purpose in Purpose.ALL],
        default=Purpose.GENERATION,
        help_text="`training` asks whether training or fine-tuning a model on the likeness is permitted.",
    )


class CheckedSerializer(serializers.Serializer):
    shot = serializers.IntegerField()
    usage = serializers.ChoiceField(choices=LikenessUsage.choices, allow_null=True)
    territory = serializers.ChoiceField(choices=Territory.choices, allow_null=True)
    date = serializers.DateField()
    purpose = serializers.ChoiceField(choices=[(purpose, purpose) for purpose in Purpose.ALL])


REASONS = [(reason, reason) for reason in Reason.ALL]


class LicenceCheckAnswer(serializers.Serializer):
    licence_code = serializers.CharField()
    allowed = serializers.BooleanField(help_text="True only when no reason below applies.")
    reason = serializers.ChoiceField(choices=REASONS, allow_null=True, help_text="The first failing reason, or null.")
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=REASONS), help_text="Every failing reason.")
    message = serializers.CharField(help_text="The answer in the reader's language.")
    checked = CheckedSerializer(help_text="The inputs as checked, the date defaulting to today.")


class LicenceCheck(PublicQuestion):
    @extend_schema(
        summary="May I generate this? (public, no authentication, limited per address)",
        description="Whether the licence allows one use of the likeness: the shot (required), and when given the "
        "usage, the territory, the day and the purpose. Reasons: "
        + ", ".join(f"`{reason}`" for reason in Reason.ALL)
        + ". 400 for a malformed question (checked first), 404 when no licence has the code.",
        parameters=[LicenceCheckQuery],
        responses=LicenceCheckAnswer,
        auth=[],
        tags=["licences"],
    )
    def get(self, request: Request, code: str) -> Response:
        # The question is checked first: a malformed one is a 400 whatever
        # the code. A plain dict, not the QueryDict: DRF would read "usage="
        # in a QueryDict as "not given", which the schema does not allow.
        query = LicenceCheckQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        canonical = normalise_licence_code(code)
        contract = contract_by_licence_code(canonical) if canonical else None
        if contract is None:
            raise NotFound(_("No licence has this code. Check it character by character."))
        question = UseQuestion(
            shot=values["shot"],
            on=values.get("date") or timezone.localdate(),
            purpose=values["purpose"],
            usage=values.get("usage"),
            territory=values.get("territory"),
        )
        answer = licence_allows(contract, question)
        return _public_answer(
            {
                "licence_code": contract.licence_code,
                "allowed": answer.allowed,
                "reason": answer.reasons[0] if answer.reasons else None,
                "reasons": answer.reasons,
                "message": answer.message,
                "checked": {
                    "shot": question.shot,
                    "usage": question.usage,
                    "territory": question.territory,
                    "date": question.on,
                    "purpose": question.purpose,
                },
            },
            LicenceCheckAnswer,
        )


class OutputLicenceSerializer(serializers.Serializer):
    licence_code = serializers.CharField()
    verify_url = serializers.URLField(help_text="The licence's public page.")
    status = serializers.ChoiceField(choices=VERDICT_CHOICES, help_text="The verdict's key, as the licence API.")
    verdict = serializers.CharField(help_text="The verdict in the reader's language.")
    in_force = serializers.BooleanField()
    shot = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=GeneratedOutput.Kind.choices)
    approved_at = serializers.DateTimeField()
    actor = serializers.CharField(help_text="The actor's stage name.")
    creator = serializers.CharField(help_text="The creator's display name.")
    project = serializers.CharField(help_text="The project's title.")
    message = serializers.CharField()


class OutputAnswer(serializers.Serializer):
    sha256 = serializers.CharField()
    approved = serializers.BooleanField(help_text="True when at least one of the licences is in force today.")
    licences = OutputLicenceSerializer(many=True, help_text="Every licence the file was approved under.")
    message = serializers.CharField(help_text="The answer in the reader's language.")


def _licence_row(request: Request, licence: OutputLicence) -> dict[str, Any]:
    contract: Contract = licence.contract
    return {
        "licence_code": contract.licence_code,
        "verify_url": request.build_absolute_uri(reverse("usage_requests:verify_code", args=[contract.licence_code])),
        "status": licence.verdict.key,
        "verdict": licence.verdict.label,
        "in_force": licence.in_force,
        "shot": licence.output.shot,
        "kind": licence.output.kind,
        "approved_at": licence.output.approved_at,
        "actor": licence.actor,
        "creator": licence.creator,
        "project": licence.project,
        "message": licence.message,
    }


class OutputDetail(PublicQuestion):
    @extend_schema(
        summary="Is this file an approved output? (public, no authentication, limited per address)",
        description="The SHA-256 of the file's exact bytes, either case. 404 when no approved output has it "
        "(an unknown file, or one still pending or rejected by the actor).",
        parameters=[
            OpenApiParameter(
                "sha256",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=SHA256_PATTERN,
                description="64 hexadecimal digits.",
            )
        ],
        responses=OutputAnswer,
        auth=[],
        tags=["licences"],
    )
    def get(self, request: Request, sha256: str) -> Response:
        canonical = normalise_sha256(sha256) if sha256 == sha256.strip() else None
        if canonical is None:
            raise ValidationError({"sha256": [_("A SHA-256 is 64 hexadecimal digits (0-9, a-f).")]})
        lookup = output_lookup(canonical)
        if lookup is None:
            raise NotFound(_("No approved output has this SHA-256."))
        return _public_answer(
            {
                "sha256": canonical,
                "approved": lookup.approved,
                "licences": [_licence_row(request, licence) for licence in lookup.licences],
                "message": lookup.message,
            },
            OutputAnswer,
        )


def _public_answer(data: dict[str, Any], serializer: type[serializers.Serializer]) -> Response:
    response = Response(serializer(data).data)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
