"""Several hosts' worth of processes, one PostgreSQL, one Redis, one bucket
(issue 14): what a user does through one web process holds on the other,
work is done by whichever worker takes it, and a second beat started by
mistake changes nothing but the load."""

import io
import re

import pytest
from PIL import Image

from marketplace.tests.s3 import follow
from tests.faults.browser import Browser, signed_in
from tests.faults.harness import PrivatePostgres, wait_until
from tests.topology.conftest import SWEEP_SECONDS, Cluster

pytestmark = [pytest.mark.topology, pytest.mark.slow, pytest.mark.xdist_group("faults")]

TOO_MANY = "Too many failed login attempts"
RENDERED = re.compile(r"Task actors\.make_photo_renditions\[[^\]]+\] succeeded")


def errors(page: str) -> list[str]:
    """The form's error messages on a page."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", item).strip()
        for item in re.findall(r'class="[^"]*(?:errorlist|alert)[^"]*"[^>]*>(.*?)</', page, re.S)
    ]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize((900, 1200)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_session_made_on_one_web_process_works_on_the_other(cluster: Cluster):
    web1, web2 = cluster.webs
    person = Browser(web1)
    assert signed_in(person.sign_in(cluster.seed["actor_email"], cluster.seed["password"])), cluster.logs()

    person.base_url = web2
    answer = person.get("/notifications/badge/")

    assert answer.status == 200, answer
    assert person.get("/actors/me/photos/").status == 200


def test_the_sign_in_limit_counts_across_both_web_processes(cluster: Cluster):
    email = cluster.seed["creator_email"]
    answers = []
    for attempt in range(6):
        # Alternating: each web process alone sees three failures, fewer than the limit of five.
        person = Browser(cluster.webs[attempt % 2])
        answers.append(person.sign_in(email, "not the password"))
    assert all(answer.status == 200 for answer in answers), [str(answer) for answer in answers]
    assert not any(TOO_MANY in answer.text for answer in answers[:5])
    assert TOO_MANY in answers[5].text, (
        f"the sixth failure was not refused: the count is not shared\n{errors(answers[5].text)}"
    )
    # The right password from this address is refused too while the lock lasts.
    locked = Browser(cluster.webs[0]).sign_in(email, cluster.seed["password"])
    assert not signed_in(locked)


def test_a_photo_uploaded_through_one_web_is_rendered_by_a_worker_and_served_by_the_other(
    cluster: Cluster, postgres: PrivatePostgres, s3
):
    server, bucket = s3
    web1, web2 = cluster.webs
    actor = Browser(web1)
    assert signed_in(actor.sign_in(cluster.seed["actor_email"], cluster.seed["password"]))
    before = {name: len(cluster.processes[name].log_text()) for name in ("worker1", "worker2")}

    upload = actor.submit("/actors/me/photos/", {}, files={"photos": ("portrait.jpg", jpeg(), "image/jpeg")})

    assert upload.status == 302, f"{upload}\n{cluster.logs()}"
    photo_id = postgres.value(
        "SELECT max(id) FROM actors_likenessphoto WHERE actor_id = %s", cluster.seed["actor_profile_id"]
    )
    ready = wait_until(
        lambda: postgres.value("SELECT renditions FROM actors_likenessphoto WHERE id = %s", photo_id) == "ready",
        timeout=60,
        interval=0.2,
    )
    assert ready, cluster.logs()
    rendered_by = [name for name, seen in before.items() if RENDERED.search(cluster.processes[name].log_text()[seen:])]
    assert len(rendered_by) == 1, rendered_by
    original, thumbnail = postgres.query(
        "SELECT original, thumbnail FROM actors_likenessphoto WHERE id = %s", photo_id
    )[0]
    listed = {item["Key"] for item in server.client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert {original, thumbnail} <= listed

    actor.base_url = web2
    answer = actor.get(f"/actors/photos/{photo_id}/thumbnail/")
    assert answer.status == 302, answer
    assert answer.location.startswith(server.endpoint), answer.location
    fetched = follow(answer.location)
    assert fetched.status == 200
    assert fetched.body == server.client.get_object(Bucket=bucket, Key=thumbnail)["Body"].read()
    assert fetched.body[:3] == b"\xff\xd8\xff"


def test_two_beats_by_mistake_still_expire_each_request_once(cluster: Cluster, postgres: PrivatePostgres):
    due = cluster.seed["due_requests"]

    def expired() -> int:
        return postgres.value(
            "SELECT count(*) FROM usage_requests_usagerequest WHERE id = ANY(%s) AND status = 'expired'", due
        )

    assert wait_until(lambda: expired() == len(due), timeout=90, interval=0.5), cluster.logs()
    # Both beats sent the sweep, more than once each, while rows were due and after.
    sent = re.compile(r"Sending due task expire-usage-requests")
    assert wait_until(
        lambda: all(len(sent.findall(cluster.processes[f"beat{n}"].log_text())) >= 2 for n in (1, 2)),
        timeout=6 * SWEEP_SECONDS,
        interval=0.5,
    ), cluster.logs()

    events = postgres.query(
        "SELECT request_id, count(*) FROM usage_requests_requestevent "
        "WHERE request_id = ANY(%s) AND kind = 'expired' GROUP BY request_id",
        due,
    )
    assert sorted(count for _request, count in events) == [1] * len(due)
    notices = postgres.query(
        "SELECT event_key, count(*) FROM marketplace_notification WHERE event_key LIKE 'usage_request:%%:expired' "
        "GROUP BY event_key, recipient_id"
    )
    assert notices
    assert all(count == 1 for _key, count in notices)
