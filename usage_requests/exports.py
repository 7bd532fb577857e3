"""The requests, messages and contracts an actor is party to, for their data
export (``actors.services.privacy`` calls ``records_for_actor``)."""

from actors.models import ActorProfile
from usage_requests.models import Contract, Message, UsageRequest


def records_for_actor(actor: ActorProfile) -> dict[str, list]:
    requests = (
        UsageRequest.objects.filter(actor=actor)
        .select_related("creator", "project")
        .prefetch_related("terms", "request_shots__shot", "events")
        .order_by("created_at", "id")
    )
    request_rows = [
        {
            "id": request.pk,
            "creator": request.creator.display_name,
            "project": request.project.title,
            "status": request.status,
            "created_at": request.created_at.isoformat(),
            "expires_at": request.expires_at.isoformat(),
            "close_reason": request.close_reason,
            "terms": [
                {
                    "version": terms.version,
                    "proposed_by": terms.proposed_by,
                    "fee": str(terms.fee),
                    "currency": terms.currency,
                    "term_start": terms.term_start.isoformat(),
                    "term_end": terms.term_end.isoformat(),
                    "territory": terms.territory,
                    "ai_training": terms.ai_training,
                    "note": terms.note,
                }
                for terms in request.terms.all()
            ],
            "shots": [
                {
                    "number": row.shot.number,
                    "description": row.shot.description,
                    "decision": row.decision,
                    "note": row.note,
                }
                for row in request.request_shots.all()
            ],
            "timeline": [
                {"event": event.kind, "by": event.by_party, "at": event.created_at.isoformat(), "data": event.data}
                for event in request.events.all()
            ],
        }
        for request in requests
    ]
    messages = [
        {
            "request": message.request_id,
            "from": message.sender_party,
            "at": message.created_at.isoformat(),
            "body": message.body,
        }
        for message in Message.objects.filter(request__actor=actor).order_by("created_at", "id")
    ]
    contracts = [
        {
            "licence_code": contract.licence_code,
            "status": contract.status,
            "terms_hash": contract.terms_hash,
            "snapshot": contract.snapshot,
            "signatures": [
                {"party": sig.party, "typed_name": sig.typed_name, "signed_at": sig.signed_at.isoformat()}
                for sig in contract.signatures.all()
            ],
        }
        for contract in Contract.objects.filter(actor=actor).prefetch_related("signatures").order_by("created_at")
    ]
    return {"requests.json": request_rows, "messages.json": messages, "contracts.json": contracts}
