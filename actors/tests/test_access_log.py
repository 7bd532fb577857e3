"""The actor's access log page and its CSV: order, filter, isolation between
actors, spreadsheet-safe cells, and a query count that does not grow."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.services import asset_access_record, photo_upload
from actors.tests.factories import image_upload, photo_for
from creators.tests.factories import CreatorProfileFactory
from marketplace.http import ClientInfo

pytestmark = pytest.mark.django_db

ACCESS = "/actors/me/access/"
CSV_URL = "/actors/me/access.csv"
HEADER = ["time", "who", "role", "asset", "photo", "outcome", "purpose", "ip_address", "delivery"]


@pytest.fixture
def photo(actor):
    return photo_for(actor.actor_profile, seed=80)


def log(photo, viewer, role: str, *, kind: str = "preview", granted: bool = True, purpose: str = "", at=None):
    with time_machine.travel(at or timezone.now(), tick=False):
        return asset_access_record(
            photo=photo,
            viewer=viewer,
            viewer_role=role,
            kind=kind,
            granted=granted,
            purpose=purpose,
            client=ClientInfo(ip_address="198.51.100.7"),
        )


@pytest.fixture
def three_rows(photo, creator, other_creator, moderator):
    start = timezone.now() - timedelta(hours=3)
    log(photo, creator, "creator", at=start)
    log(photo, other_creator, "creator", kind="original", granted=False, at=start + timedelta(hours=1))
    log(photo, moderator, "moderator", purpose="dispute 12", at=start + timedelta(hours=2))


def table(response) -> str:
    page = response.content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


# --- The page ------------------------------------------------------------------


def test_newest_access_comes_first(login, actor, three_rows):
    body = table(login(actor).get(ACCESS))
    positions = [body.index("Moderator — dispute 12"), body.index("Pixel Harbor"), body.index("Lumen Pictures")]
    assert positions == sorted(positions)


def test_denied_attempt_is_shown_as_denied(login, actor, three_rows):
    body = table(login(actor).get(ACCESS))
    assert body.count('class="table-warning"') == 1
    assert "Denied" in body


def test_filter_by_viewer_shows_only_their_rows(login, actor, creator, three_rows):
    response = login(actor).get(ACCESS, {"viewer": creator.pk})
    assert response.status_code == 200
    body = table(response)
    assert "Lumen Pictures" in body
    assert "Pixel Harbor" not in body
    assert "Moderator" not in body


BAD_VIEWERS = ["abc", "", "1.5", "9" * 40, "-"]


@pytest.mark.parametrize("viewer", BAD_VIEWERS)
def test_bad_viewer_filter_is_ignored(login, actor, three_rows, viewer):
    response = login(actor).get(ACCESS, {"viewer": viewer})
    assert response.status_code == 200
    body = table(response)
    assert "Lumen Pictures" in body
    assert "Pixel Harbor" in body


@pytest.mark.parametrize("viewer", BAD_VIEWERS)
def test_bad_viewer_filter_is_ignored_in_the_csv(login, actor, three_rows, viewer):
    response = login(actor).get(CSV_URL, {"viewer": viewer})
    assert response.status_code == 200
    assert len(csv_rows(response)) == 4


def test_bad_page_number_shows_a_page(login, actor, three_rows):
    response = login(actor).get(ACCESS, {"page": "zzz"})
    assert response.status_code == 200
    assert "Lumen Pictures" in table(response)


def test_another_actors_rows_never_appear(login, actor, other_actor, three_rows):
    stranger = CreatorProfileFactory(display_name="Secret Studio").user
    log(photo_for(other_actor.actor_profile, seed=81), stranger, "creator")
    client = login(actor)
    assert "Secret Studio" not in client.get(ACCESS).content.decode()
    assert "Secret Studio" not in client.get(ACCESS, {"viewer": stranger.pk}).content.decode()
    assert "Secret Studio" not in b"".join(client.get(CSV_URL).streaming_content).decode()
    assert len(csv_rows(client.get(CSV_URL, {"viewer": stranger.pk}))) == 1


def test_empty_log_says_so(login, actor):
    assert "Nobody has viewed your previews" in login(actor).get(ACCESS).content.decode()


# --- CSV -----------------------------------------------------------------------


def test_csv_download_has_a_header_and_one_row_per_entry(login, actor, photo, three_rows):
    response = login(actor).get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    header, *rows = csv_rows(response)
    assert header == HEADER
    assert [row[1] for row in rows] == ["Moderator", "Pixel Harbor", "Lumen Pictures"]
    assert rows[1][2:8] == ["creator", "original", str(photo.pk), "denied", "", "198.51.100.7"]
    assert rows[0][6] == "dispute 12"


def test_csv_follows_the_viewer_filter(login, actor, creator, three_rows):
    _header, *rows = csv_rows(login(actor).get(CSV_URL, {"viewer": creator.pk}))
    assert [row[1] for row in rows] == ["Lumen Pictures"]


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)"])
def test_formula_in_a_creator_name_is_defused_in_the_csv(login, actor, photo, name):
    viewer = CreatorProfileFactory(display_name=name).user
    log(photo, viewer, "creator")
    _header, row = csv_rows(login(actor).get(CSV_URL))
    assert row[1] == f"'{name}"


def test_formula_in_a_stated_purpose_is_defused_in_the_csv(login, actor, photo, moderator):
    log(photo, moderator, "moderator", purpose="=cmd|' /C calc'!A0")
    _header, row = csv_rows(login(actor).get(CSV_URL))
    assert row[6] == "'=cmd|' /C calc'!A0"


# --- Query counts ----------------------------------------------------------------


def count_queries(client, path: str) -> int:
    client.get(path)  # the first request of a session records it; measure the next
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_access_log_queries_do_not_grow_with_rows(
    login, actor, photo, creator, other_creator, moderator, django_assert_num_queries
):
    client = login(actor)
    log(photo, creator, "creator")
    one_row = count_queries(client, ACCESS)
    viewers = [(creator, "creator"), (other_creator, "creator"), (moderator, "moderator")]
    for n in range(59):
        viewer, role = viewers[n % 3]
        log(photo, viewer, role, granted=n % 2 == 0)
    client.get(ACCESS)
    with django_assert_num_queries(one_row):
        response = client.get(ACCESS)
    assert table(response).count("<tr") == 50


def test_dashboard_queries_do_not_grow_with_photos(login, actor, django_assert_num_queries):
    client = login(actor)
    no_photos = count_queries(client, "/")
    photo_upload(actor=actor.actor_profile, files=[image_upload(seed=90 + n) for n in range(8)])
    client.get("/")
    with django_assert_num_queries(no_photos):
        assert client.get("/").status_code == 200


def test_csv_is_streamed_a_chunk_of_rows_at_a_time(login, actor, photo, creator, monkeypatch):
    monkeypatch.setattr("actors.services.exports.ACCESS_LOG_CHUNK", 2)
    start = timezone.now() - timedelta(hours=1)
    for n in range(5):
        log(photo, creator, "creator", purpose=f"CC-{n}", at=start + timedelta(minutes=n))
    response = login(actor).get(CSV_URL)
    assert response.streaming
    pieces = list(response.streaming_content)
    assert len(pieces) == 6  # the header, then one line per row as it is read
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode())))
    assert [row[6] for row in rows[1:]] == ["CC-4", "CC-3", "CC-2", "CC-1", "CC-0"]


# --- Keyset pages ----------------------------------------------------------------


def pager_link(response, name: str) -> str:
    found = re.search(rf'data-testid="{name}" href="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else ""


@pytest.fixture
def sixty_rows(photo, creator, other_creator):
    start = timezone.now() - timedelta(hours=2)
    for n in range(60):
        # The last ten share one instant: the id breaks the tie.
        at = start + timedelta(minutes=min(n, 50))
        log(photo, (creator, other_creator)[n % 2], "creator", purpose=f"CC-{n:02d}", at=at)


def purposes(response) -> list[str]:
    return re.findall(r"Licence (CC-\d\d)", table(response))


def test_older_and_newer_pages_walk_the_log_without_count_or_offset(login, actor, sixty_rows):
    client = login(actor)
    first = client.get(ACCESS)
    assert purposes(first) == [f"CC-{n:02d}" for n in range(59, 9, -1)]
    assert pager_link(first, "newer") == ""
    with CaptureQueriesContext(connection) as context:
        second = client.get(ACCESS + pager_link(first, "older"))
    assert purposes(second) == [f"CC-{n:02d}" for n in range(9, -1, -1)]
    assert pager_link(second, "older") == ""
    log_queries = [q["sql"].upper() for q in context.captured_queries if "ACTORS_ASSETACCESS" in q["sql"].upper()]
    assert not [sql for sql in log_queries if "COUNT(" in sql or "OFFSET" in sql]
    assert purposes(client.get(ACCESS + pager_link(second, "newer"))) == purposes(first)


def test_the_pager_keeps_the_viewer_filter(login, actor, creator, sixty_rows, monkeypatch):
    monkeypatch.setattr("actors.views.privacy.ACCESS_LOG_PER_PAGE", 20)
    client = login(actor)
    first = client.get(ACCESS, {"viewer": creator.pk})
    older = pager_link(first, "older")
    assert older.startswith(f"?viewer={creator.pk}&cursor=")
    assert len(purposes(first)) + len(purposes(client.get(ACCESS + older))) == 30


@pytest.mark.parametrize("cursor", ["abc", "x" * 3000, "W10:1:2", "%00", '["o", "x", 1]'])
def test_a_cursor_the_portal_did_not_write_shows_the_newest_page(login, actor, sixty_rows, cursor):
    response = login(actor).get(ACCESS, {"cursor": cursor})
    assert response.status_code == 200
    assert purposes(response)[0] == "CC-59"


# --- Public names, never an email ---------------------------------------------


def test_another_actor_is_named_by_stage_name_never_by_email(login, actor, other_actor, photo):
    log(photo, other_actor, "actor", granted=False)
    client = login(actor)
    page = client.get(ACCESS).content.decode()
    assert "陈思远" in table(client.get(ACCESS))
    assert "other.actor@example.com" not in page
    _header, row = csv_rows(client.get(CSV_URL))
    assert row[1] == "陈思远"
    assert "@" not in "".join(row)


def logged_with_email(photo, viewer, role: str):
    """A row as the log wrote it before: the viewer's email as their label."""
    from actors.models import AssetAccess

    return AssetAccess.objects.create(
        actor_id=photo.actor_id,
        photo=photo,
        viewer=viewer,
        viewer_label=viewer.email,
        viewer_role=role,
        kind=AssetAccess.Kind.PREVIEW,
        outcome=AssetAccess.Outcome.GRANTED,
    )


def test_rows_written_with_an_email_show_a_public_label_instead(login, actor, other_actor, creator, photo):
    """Rows logged before the rule hold an email in ``viewer_label``: the page,
    the filter and the CSV show "another actor" / "a studio" instead."""
    logged_with_email(photo, other_actor, "actor")
    logged_with_email(photo, creator, "creator")
    client = login(actor)
    page = client.get(ACCESS).content.decode()
    assert "other.actor@example.com" not in page
    assert "creator@example.com" not in page
    assert "another actor" in table(client.get(ACCESS))
    assert "a studio" in page
    _header, *rows = csv_rows(client.get(CSV_URL))
    assert sorted(row[1] for row in rows) == ["a studio", "another actor"]


def test_a_deleted_actor_is_another_actor(login, actor, other_actor, photo):
    profile = other_actor.actor_profile
    profile.deleted_at = timezone.now()
    profile.save(update_fields=["deleted_at"])
    log(photo, other_actor, "actor", granted=False)
    assert "another actor" in table(login(actor).get(ACCESS))


def test_the_actors_own_export_download_is_you(login, actor, photo):
    from actors.models import AssetAccess

    AssetAccess.objects.create(
        actor=actor.actor_profile,
        viewer=actor,
        viewer_label="actor@example.com",
        viewer_role="owner",
        kind=AssetAccess.Kind.EXPORT,
        outcome=AssetAccess.Outcome.GRANTED,
    )
    response = login(actor).get(ACCESS)
    assert "actor@example.com" not in table(response)
    assert ">You<" in table(response)


def test_the_viewer_filter_lists_public_names_in_chinese_too(login, actor, other_actor, photo):
    logged_with_email(photo, other_actor, "actor")
    actor.preferred_language = "zh-hans"
    actor.save(update_fields=["preferred_language"])
    page = login(actor).get(ACCESS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "other.actor@example.com" not in page
    assert f'<option value="{other_actor.pk}">另一位演员</option>' in page
