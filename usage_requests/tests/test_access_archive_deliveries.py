"""Archiving an access-log month that holds licensed downloads: the rows
leave, each delivery stays (append-only) without its link to the row, and
the archive names the delivered copy's watermark id."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from actors.models import AccessLogArchive, AssetAccess
from actors.services import access_log_archive_sweep
from actors.services.archive import access_log_archive_rows
from usage_requests.models import Contract, Delivery
from usage_requests.tests.factories import active_contract, licensed_photo, open_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def test_a_month_with_deliveries_is_archived_and_the_deliveries_stay(login, actor, creator, active):
    photo = licensed_photo(active.actor, seed=5)
    client = login(creator)
    with time_machine.travel(datetime.now(UTC), tick=False):
        assert client.get(f"/actors/photos/{photo.pk}/original/").status_code == 200
    delivery = Delivery.objects.get()
    access = AssetAccess.objects.get(kind="original")
    month = access.created_at.date().replace(day=1)
    with time_machine.travel(datetime(month.year + 2, 1, 15, tzinfo=UTC), tick=False):
        assert access_log_archive_sweep() >= 1
    assert not AssetAccess.objects.filter(pk=access.pk).exists()
    delivery.refresh_from_db()
    assert delivery.access_id is None
    archive = AccessLogArchive.objects.get(actor=active.actor, month=month)
    rows = {row[0]: row for row in access_log_archive_rows(archive)[1:]}
    assert rows[str(access.pk)][-1] == delivery.watermark_id
    assert rows[str(access.pk)][-3] == active.licence_code
    assert isinstance(month, date)
