"""``/api/v1/contracts/`` and the public ``/api/v1/licenses/<code>/``.

Contracts are read through ``contracts_for_user`` (another's contract is a
404) and shown from their immutable snapshot, as the contract page shows
them; signing calls ``contract_sign``. The licence check answers what
``/verify/<code>/`` shows, to anyone, limited per address together with
that page.
"""

from typing import Any

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.fields import PlainTextField
from marketplace.api.permissions import IsActorOrCreator
from marketplace.api.throttling import LicenceCheckThrottle
from marketplace.http import ClientInfo, get_in_scope_or_404, signed_in_user
from usage_requests.api.requests import EventSerializer, PageLinks
from usage_requests.models import Contract, ContractStatus, GeneratedOutput, Party
from usage_requests.selectors import (
    contract_by_licence_code,
    contract_detail_for_user,
    contract_list_for_user,
    delivered_copies,
    licensed_photos,
)
from usage_requests.selectors.approved_outputs import approved_outputs_of
from usage_requests.services import contract_sign, normalise_licence_code
from usage_requests.verdicts import VERDICT_CHOICES, verdict_of


class VerdictSerializer(serializers.Serializer):
    key = serializers.ChoiceField(
        choices=VERDICT_CHOICES,
        help_text="Where the licence stands today: like the stored status, except that an active contract "
        "is `signed` before its term starts and `completed` once its term has ended.",
    )
    display = serializers.CharField(help_text="The verdict in the reader's language, as the pages show it.")
    colour = serializers.CharField(help_text="The Bootstrap colour the pages give this verdict.")
    valid = serializers.BooleanField(help_text="True only while the licence is in force today.")
    heading = serializers.CharField()
    detail = serializers.CharField()


class SnapshotShotSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    description = serializers.CharField()


def _snapshot_part(contract: Contract, key: str) -> dict[str, Any]:
    value = contract.snapshot.get(key, {})
    return value if isinstance(value, dict) else {}


class ContractSerializer(PageLinks, serializers.ModelSerializer):
    api_view = "api:v1:contract-detail"
    page_view = "usage_requests:contract_detail"

    status_display = serializers.CharField(source="get_status_display")
    my_party = serializers.SerializerMethodField()
    actor_stage_name = serializers.SerializerMethodField()
    creator_display_name = serializers.SerializerMethodField()
    project_title = serializers.SerializerMethodField()
    territory = serializers.SerializerMethodField()
    ai_training = serializers.SerializerMethodField()
    licence_url = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "request",
            "licence_code",
            "status",
            "status_display",
            "my_party",
            "actor_stage_name",
            "creator_display_name",
            "project_title",
            "term_start",
            "term_end",
            "territory",
            "ai_training",
            "terms_hash",
            "visible_label",
            "outputs_need_approval",
            "created_at",
            "sign_deadline",
            "activated_at",
            "ended_at",
            "url",
            "page_url",
            "licence_url",
            "verdict",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Party.choices, allow_null=True))
    def get_my_party(self, contract: Contract) -> str | None:
        return contract.party_of(self.context["request"].user)

    def get_actor_stage_name(self, contract: Contract) -> str:
        return str(_snapshot_part(contract, "actor").get("stage_name", ""))

    def get_creator_display_name(self, contract: Contract) -> str:
        return str(_snapshot_part(contract, "creator").get("display_name", ""))

    def get_project_title(self, contract: Contract) -> str:
        return str(_snapshot_part(contract, "project").get("title", ""))

    def get_territory(self, contract: Contract) -> str:
        return str(_snapshot_part(contract, "terms").get("territory", ""))

    def get_ai_training(self, contract: Contract) -> bool:
        return bool(_snapshot_part(contract, "terms").get("ai_training"))

    @extend_schema_field(VerdictSerializer)
    def get_verdict(self, contract: Contract) -> dict[str, Any]:
        """Where the contract stands today, as its pages and the licence check say."""
        return public_verdict(contract)

    def get_licence_url(self, contract: Contract) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:v1:licence-detail", args=[contract.licence_code])
        )


class SignatureSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=Party.choices)
    signed_at = serializers.DateTimeField()


class AssetSerializer(serializers.Serializer):
    photo_id = serializers.IntegerField()
    original_url = serializers.URLField()


class ContractDetailSerializer(ContractSerializer):
    snapshot = serializers.JSONField(help_text="The accepted terms and approved shots; its SHA-256 is terms_hash.")
    signatures = SignatureSerializer(many=True, source="signatures.all")
    events = EventSerializer(many=True, source="events.all")
    assets = serializers.SerializerMethodField()

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "snapshot", "signatures", "events", "assets"]

    @extend_schema_field(AssetSerializer(many=True))
    def get_assets(self, contract: Contract) -> list[dict[str, Any]]:
        """For the creator, while the licence is in force: the originals of
        the actor's photos (each download is in the actor's access log; the
        token works for them). Empty otherwise, as on the contract page."""
        request = self.context["request"]
        if contract.party_of(request.user) != Party.CREATOR:
            return []
        return [
            {
                "photo_id": photo.pk,
                "original_url": request.build_absolute_uri(reverse("actors:photo", args=[photo.pk, "original"])),
            }
            for photo in licensed_photos(contract)
        ]


@extend_schema_field({"type": "boolean", "enum": [True]})
class ConsentField(serializers.BooleanField):
    """A box to tick: only ``true`` signs (``contract_sign`` refuses ``false``
    with its own message), so the schema admits only ``true``."""


class SignInput(serializers.Serializer):
    typed_name = PlainTextField(max_length=120, help_text="Your legal name exactly as on your profile.")
    consent = ConsentField(help_text="You have read the contract and agree to it.")


class ContractFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)

    class Meta:
        model = Contract
        fields = ["status"]


def _contract(request: Request, pk: int) -> Contract:
    return get_in_scope_or_404(request, contract_detail_for_user(signed_in_user(request)), pk=pk)


class ContractList(generics.ListAPIView):
    permission_classes = [IsActorOrCreator]
    serializer_class = ContractSerializer
    filterset_class = ContractFilter

    def get_queryset(self) -> Any:
        # The schema generator calls this with an anonymous request: no rows.
        return contract_list_for_user(self.request.user)

    @extend_schema(summary="Your contracts, newest first", tags=["contracts"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ContractDetail(APIView):
    permission_classes = [IsActorOrCreator]

    @extend_schema(
        summary="One contract: snapshot, signatures, timeline, and whether it is in force",
        responses=ContractDetailSerializer,
        tags=["contracts"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ContractDetailSerializer(_contract(request, pk), context={"request": request}).data)


class ContractSign(APIView):
    permission_classes = [IsActorOrCreator]

    @extend_schema(
        summary="Sign as your party (typed legal name and consent)",
        request=SignInput,
        responses=ContractDetailSerializer,
        tags=["contracts"],
    )
    def post(self, request: Request, pk: int) -> Response:
        contract = _contract(request, pk)
        values = SignInput(data=request.data)
        values.is_valid(raise_exception=True)
        contract_sign(
            contract=contract,
            user=signed_in_user(request),
            typed_name=values.validated_data["typed_name"],
            consent=values.validated_data["consent"],
            client=ClientInfo.from_request(request),
        )
        return Response(ContractDetailSerializer(_contract(request, pk), context={"request": request}).data)


# --- Public licence check ---------------------------------------------------------


class ApprovedOutputSerializer(serializers.Serializer):
    sha256 = serializers.CharField(help_text="SHA-256 of the output file's exact bytes.")
    shot = serializers.IntegerField(help_text="The approved shot it was generated for.")
    kind = serializers.ChoiceField(choices=GeneratedOutput.Kind.choices)
    approved_at = serializers.DateTimeField()


class LicenceSerializer(serializers.Serializer):
    licence_code = serializers.CharField()
    exists = serializers.BooleanField()
    active = serializers.BooleanField(help_text="In force today: signed by both, not suspended, within its term.")
    status = serializers.ChoiceField(
        choices=VERDICT_CHOICES,
        help_text="`active` only while the licence is in force today; `signed` when both signed but the term "
        "has not started; `completed` once the term has ended; otherwise the contract's status.",
    )
    status_display = serializers.CharField(help_text="The status in the reader's language.")
    verdict = VerdictSerializer()
    actor = serializers.CharField(help_text="The actor's stage name.")
    creator = serializers.CharField(help_text="The creator's display name.")
    studio = serializers.CharField()
    project = serializers.CharField(help_text="The project's title.")
    approved_shot_count = serializers.IntegerField()
    approved_shots = SnapshotShotSerializer(many=True)
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    territory = serializers.CharField()
    ai_training = serializers.BooleanField(help_text="Whether training or fine-tuning a model is permitted.")
    terms_hash = serializers.CharField(help_text="SHA-256 of the contract's canonical terms.")
    delivered_copies = serializers.IntegerField(
        min_value=0,
        help_text="How many copies of the actor's originals were delivered under this licence, each marked "
        "for its delivery (never who received them).",
    )
    approved_outputs = ApprovedOutputSerializer(
        many=True,
        help_text="The generated outputs the actor approved under this licence, by shot: their hashes, never "
        "the files. `GET /api/v1/outputs/<sha256>/` tells which licence a file belongs to.",
    )
    checked_at = serializers.DateTimeField()


def public_verdict(contract: Contract) -> dict[str, Any]:
    """``verdict_of`` as data: where the licence stands, in force or not, and why."""
    verdict = verdict_of(contract)
    return {
        "key": verdict.key,
        "display": verdict.label,
        "colour": verdict.colour,
        "valid": verdict.valid,
        "heading": verdict.heading,
        "detail": verdict.detail,
    }


def licence_answer(contract: Contract) -> dict[str, Any]:
    """What the public may know of a licence: what ``/verify/<code>/`` shows,
    and the approved shots' descriptions, so a tool can check that the shot
    it is about to generate is one of them, and the approved outputs'
    hashes. Never the fee, legal names, nor an output's file, tool or note."""
    verdict = public_verdict(contract)
    snapshot = contract.snapshot
    shots = [
        {"number": shot.get("number"), "description": shot.get("description", "")}
        for shot in snapshot.get("shots", [])
        if isinstance(shot, dict)
    ]
    terms = _snapshot_part(contract, "terms")
    return {
        "licence_code": contract.licence_code,
        "exists": True,
        "active": verdict["valid"],
        "status": verdict["key"],
        "status_display": verdict["display"],
        "verdict": verdict,
        "actor": _snapshot_part(contract, "actor").get("stage_name", ""),
        "creator": _snapshot_part(contract, "creator").get("display_name", ""),
        "studio": _snapshot_part(contract, "creator").get("studio", ""),
        "project": _snapshot_part(contract, "project").get("title", ""),
        "approved_shot_count": len(shots),
        "approved_shots": shots,
        "term_start": contract.term_start,
        "term_end": contract.term_end,
        "territory": terms.get("territory", ""),
        "ai_training": bool(terms.get("ai_training")),
        "terms_hash": contract.terms_hash,
        "delivered_copies": delivered_copies(contract),
        "approved_outputs": [
            {"sha256": output.sha256, "shot": output.shot, "kind": output.kind, "approved_at": output.approved_at}
            for output in approved_outputs_of(contract)
        ],
        "checked_at": timezone.now(),
    }


class PublicQuestion(APIView):
    """A question anyone may ask (the licence, may I, is this file approved):
    no authentication at all, so a stale token header cannot turn it into a
    401, and one count per address shared with ``/verify/``."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [LicenceCheckThrottle]


class LicenceDetail(PublicQuestion):
    @extend_schema(
        summary="Check a licence (public, no authentication, limited per address)",
        description="Case, spaces and dashes in the code do not matter. 404 when no licence has the code.",
        responses=LicenceSerializer,
        auth=[],
        tags=["licences"],
    )
    def get(self, request: Request, code: str) -> Response:
        canonical = normalise_licence_code(code)
        contract = contract_by_licence_code(canonical) if canonical else None
        if contract is None:
            raise NotFound(_("No licence has this code. Check it character by character."))
        response = Response(LicenceSerializer(licence_answer(contract)).data)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
