"""The rows the fault suite's steps need, written through the services.

Runs inside the portal's own settings against the private database::

    manage.py shell -c "from tests.faults.seed import seed; seed()"

and prints one line, ``FAULTS-SEED {json}``, with the addresses, ids, the
licence code and the API token the steps use.
"""

import json

from allauth.account.models import EmailAddress

from actors.tests.factories import ActorProfileFactory
from creators.tests.factories import CreatorProfileFactory
from marketplace.models import User
from marketplace.services import api_token_create
from usage_requests.tests.factories import active_contract, open_actor, send_request

PASSWORD = "faults-suite-passphrase"
SEED_MARKER = "FAULTS-SEED "


def _verified_user(email: str) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, preferred_language="en")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def seed() -> None:
    actor = open_actor(
        ActorProfileFactory(
            user=_verified_user("actor@faults.example"),
            stage_name="Mei Outage",
            slug="mei-outage",
            legal_name="Mei Outage",
            listed=True,
        )
    )
    creator = CreatorProfileFactory(
        user=_verified_user("creator@faults.example"), display_name="Failover Films", legal_name="Failover Films Ltd"
    )
    other_creator = CreatorProfileFactory(
        user=_verified_user("other.creator@faults.example"),
        display_name="Restart Pictures",
        legal_name="Restart Pictures Ltd",
    )
    contract = active_contract(actor=actor, creator=creator)
    # Step 1 (Redis down): the actor declines this one; the creator is told.
    declined_without_redis = send_request(actor=actor, creator=creator)
    # Step 3 (worker killed mid-email): the actor declines this one; the other creator is told.
    declined_before_kill = send_request(actor=actor, creator=other_creator)
    # The roster (GET /api/v1/actors/) is for creators.
    _token, key = api_token_create(user=creator.user, name="fault suite")
    seed_data = {
        "password": PASSWORD,
        "actor_email": actor.user.email,
        "actor_profile_id": actor.pk,
        "creator_email": creator.user.email,
        "other_creator_email": other_creator.user.email,
        "licence_code": contract.licence_code,
        "request_declined_without_redis": declined_without_redis.pk,
        "request_declined_before_kill": declined_before_kill.pk,
        "creator_token": key,
    }
    print(SEED_MARKER + json.dumps(seed_data))
