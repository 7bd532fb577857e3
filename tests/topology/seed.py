"""Rows the topology suite needs, written through the services.

Runs inside the portal's settings against the private database::

    manage.py shell -c "from tests.topology.seed import seed; seed()"

and prints one line, ``TOPOLOGY-SEED {json}``.
"""

import json
from datetime import timedelta

from django.utils import timezone

from actors.tests.factories import ActorProfileFactory
from creators.tests.factories import CreatorProfileFactory
from tests.faults.seed import PASSWORD, _verified_user
from usage_requests.models import UsageRequest
from usage_requests.tests.factories import open_actor, send_request

SEED_MARKER = "TOPOLOGY-SEED "
DUE_REQUESTS = 12


def seed() -> None:
    actor = open_actor(
        ActorProfileFactory(
            user=_verified_user("actor@topology.example"),
            stage_name="Lin Two Hosts",
            slug="lin-two-hosts",
            legal_name="Lin Two Hosts",
            listed=True,
        )
    )
    creator = CreatorProfileFactory(
        user=_verified_user("creator@topology.example"), display_name="Cluster Films", legal_name="Cluster Films Ltd"
    )
    due = [send_request(actor=actor, creator=creator, shots=1).pk for _ in range(DUE_REQUESTS)]
    # Past their deadline: the first beat's sweep (and a second beat's) finds them due.
    UsageRequest.objects.filter(pk__in=due).update(expires_at=timezone.now() - timedelta(minutes=1))
    data = {
        "password": PASSWORD,
        "actor_email": actor.user.email,
        "actor_profile_id": actor.pk,
        "creator_email": creator.user.email,
        "due_requests": due,
    }
    print(SEED_MARKER + json.dumps(data))
