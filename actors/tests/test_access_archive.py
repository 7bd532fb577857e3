"""The access log's archive: whole months past ACCESS_LOG_ARCHIVE_DAYS move
into one gzipped CSV per actor and month, verified before the rows leave;
never twice, never a younger row; listed for the actor and in the export."""

import gzip
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.storage import default_storage

from actors.models import AccessLogArchive, AssetAccess
from actors.services import access_log_archive_sweep, access_log_month_archive, asset_access_record
from actors.services import archive as archive_module
from actors.services.archive import ARCHIVE_COLUMNS, access_log_archive_rows
from actors.services.exports import export_archive_write
from actors.tasks import archive_access_log
from actors.tests.factories import photo_for
from marketplace.http import ClientInfo
from tests.race import race

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)  # cutoff 2024-06-15: months up to May 2024 are whole


def at(moment: datetime, photo, viewer, *, purpose: str = "", granted: bool = True) -> AssetAccess:
    with time_machine.travel(moment, tick=False):
        return asset_access_record(
            photo=photo,
            viewer=viewer,
            viewer_role="creator",
            kind="original",
            granted=granted,
            purpose=purpose,
            client=ClientInfo(ip_address="203.0.113.9"),
        )


@pytest.fixture
def photo(actor):
    return photo_for(actor.actor_profile, seed=70)


@pytest.fixture
def old_and_new(photo, creator, other_actor):
    """January 2024: three rows (one a formula, for the CSV); 31 May 2024
    late: one; June 2024 (past the limit, but its month is not whole yet):
    one; last week: one; and another actor's January row."""
    other_photo = photo_for(other_actor.actor_profile, seed=71)
    return {
        "january": [
            at(datetime(2024, 1, 3, 9, tzinfo=UTC), photo, creator, purpose="CC-AAAA"),
            at(datetime(2024, 1, 3, 9, tzinfo=UTC), photo, creator, purpose="=HYPERLINK(1)", granted=False),
            at(datetime(2024, 1, 31, 23, 59, tzinfo=UTC), photo, creator),
        ],
        "may": [at(datetime(2024, 5, 31, 23, 59, 59, tzinfo=UTC), photo, creator)],
        "june": [at(datetime(2024, 6, 2, tzinfo=UTC), photo, creator)],
        "recent": [at(datetime(2025, 6, 8, tzinfo=UTC), photo, creator)],
        "other": [at(datetime(2024, 1, 10, tzinfo=UTC), other_photo, creator)],
    }


def sweep() -> int:
    with time_machine.travel(NOW, tick=False):
        return access_log_archive_sweep()


def test_whole_months_past_the_limit_are_archived_and_nothing_younger_is_touched(actor, old_and_new):
    assert sweep() == 3  # January and May of the actor, January of the other actor
    left = set(AssetAccess.objects.values_list("pk", flat=True))
    assert left == {row.pk for row in old_and_new["june"] + old_and_new["recent"]}
    months = AccessLogArchive.objects.filter(actor=actor.actor_profile).values_list("month", "row_count")
    assert sorted(months) == [(date(2024, 1, 1), 3), (date(2024, 5, 1), 1)]


def test_the_archive_file_holds_exactly_the_rows_and_its_sha256(actor, creator, photo, old_and_new):
    expected = [
        [
            str(row.pk),
            str(creator.pk),
            row.created_at.isoformat(),
            "Lumen Pictures",
            "creator",
            "original",
            str(photo.pk),
            row.outcome,
            "'=HYPERLINK(1)" if row.purpose.startswith("=") else row.purpose,
            "203.0.113.9",
            "",
        ]
        for row in old_and_new["january"]
    ]
    sweep()
    archive = AccessLogArchive.objects.get(actor=actor.actor_profile, month=date(2024, 1, 1))
    assert access_log_archive_rows(archive) == [ARCHIVE_COLUMNS, *expected]
    with default_storage.open(archive.file.name, "rb") as handle:
        stored = handle.read()
    assert hashlib.sha256(stored).hexdigest() == archive.sha256
    assert len(stored) == archive.byte_size
    assert gzip.decompress(stored).startswith(b"id,viewer_id,time,who")


def test_a_second_sweep_archives_nothing_more(old_and_new, stored_files):
    assert sweep() == 3
    files = stored_files("access-archives")
    assert sweep() == 0
    assert stored_files("access-archives") == files
    assert len(files) == 3


def test_a_sweep_that_loses_the_race_keeps_no_file_and_archives_once(actor, old_and_new, stored_files, monkeypatch):
    """The second sweep runs to its end while the first is between writing
    its file and recording it: the first then finds the month archived."""
    verify = archive_module._verify
    rival_ran: list[bool] = []

    def verify_then_let_a_rival_finish(stored, digest, row_count):
        verify(stored, digest, row_count)
        if not rival_ran:
            rival_ran.append(True)
            assert access_log_month_archive(actor_id=actor.actor_profile.pk, month=date(2024, 1, 1)) is not None

    monkeypatch.setattr(archive_module, "_verify", verify_then_let_a_rival_finish)
    with time_machine.travel(NOW, tick=False):
        assert access_log_month_archive(actor_id=actor.actor_profile.pk, month=date(2024, 1, 1)) is None
    assert AccessLogArchive.objects.filter(actor=actor.actor_profile, month=date(2024, 1, 1)).count() == 1
    assert len([name for name in stored_files("access-archives") if "2024-01" in name]) == 1
    assert not AssetAccess.objects.filter(pk__in=[row.pk for row in old_and_new["january"]]).exists()


def test_a_file_that_does_not_read_back_leaves_the_rows_and_no_file(old_and_new, stored_files, monkeypatch):
    def corrupted(stored, digest, row_count):
        raise OSError("read back differs")

    monkeypatch.setattr(archive_module, "_verify", corrupted)
    assert sweep() == 0
    assert not AccessLogArchive.objects.exists()
    assert AssetAccess.objects.count() == 7
    assert stored_files("access-archives") == set()


def test_the_beat_task_archives(old_and_new):
    with time_machine.travel(NOW, tick=False):
        assert archive_access_log.delay().get() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_on_postgresql_archive_each_month_once(actor, old_and_new, stored_files):
    def run() -> int:
        with time_machine.travel(NOW, tick=False):
            return access_log_archive_sweep()

    outcomes = race(run, run)
    assert [kind for kind, _result in outcomes] == ["ok", "ok"]
    assert sum(result for _kind, result in outcomes) == 3
    assert AccessLogArchive.objects.count() == 3
    assert len(stored_files("access-archives")) == 3
    assert AssetAccess.objects.count() == 2


# --- The actor's pages and export ------------------------------------------------------


def test_the_access_log_page_lists_the_archived_months(login, actor, old_and_new):
    sweep()
    page = login(actor).get("/actors/me/access/").content.decode()
    archive = AccessLogArchive.objects.get(actor=actor.actor_profile, month=date(2024, 1, 1))
    assert "2024-01" in page
    assert archive.sha256 in page
    assert f"/actors/me/access/archives/{archive.pk}/" in page


def test_the_actor_downloads_an_archived_month(login, actor, old_and_new):
    sweep()
    archive = AccessLogArchive.objects.get(actor=actor.actor_profile, month=date(2024, 1, 1))
    response = login(actor).get(f"/actors/me/access/archives/{archive.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert "consentcast-access-log-2024-01.csv.gz" in response["Content-Disposition"]
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == archive.sha256


def test_another_actors_archive_is_404_and_anonymous_signs_in(client, login, other_actor, actor, old_and_new):
    sweep()
    theirs = AccessLogArchive.objects.get(actor=other_actor.actor_profile)
    path = f"/actors/me/access/archives/{theirs.pk}/"
    assert client.get(path).status_code == 302
    assert login(actor).get(path).status_code == 404
    assert login(actor).get("/actors/me/access/archives/999999/").status_code == 404
    assert login(actor).post(path).status_code == 405


def test_the_data_export_includes_the_archived_months(actor, old_and_new):
    sweep()
    buffer = io.BytesIO()
    export_archive_write(actor.actor_profile, buffer)
    archive = AccessLogArchive.objects.get(actor=actor.actor_profile, month=date(2024, 1, 1))
    with zipfile.ZipFile(buffer) as exported:
        member = exported.read("access_log_archive/2024-01.csv.gz")
        assert "access_log_archive/2024-05.csv.gz" in exported.namelist()
        listed = exported.read("access_log_archive.json").decode()
    assert hashlib.sha256(member).hexdigest() == archive.sha256
    assert archive.sha256 in listed
