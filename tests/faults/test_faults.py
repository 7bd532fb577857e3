"""Break one part at a time under the portal's real processes (issue 13).

The portal runs as deployed (gunicorn, a Celery worker, one beat) against a
private Redis, a private PostgreSQL cluster and an SMTP server, and is used
over real HTTP. Each step breaks one part and checks what a user would
notice: no 500, the move committed, the email arrived once, the rendition
made, nothing half-stored. Each step prints a figure line (also listed at
the end of the run, see the root conftest).

The steps run in order on one set of processes and leave them running.
"""

import io
import re
import shutil
import threading
import time

import pytest
from PIL import Image

from tests.faults.browser import Answer, Browser, signed_in
from tests.faults.harness import STUCK_AFTER_SECONDS, SWEEP_SECONDS, Portal, chattr, files_under, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.xdist_group("faults")]

# The bound for mail held back by a broker outage.
EMAIL_AFTER_REDIS_SECONDS = 90
# Lost work is seen as stuck after STUCK_AFTER_SECONDS and picked up by the
# next sweep; the rest is the worker's start and the work itself.
RECOVERY_SECONDS = STUCK_AFTER_SECONDS + 2 * SWEEP_SECONDS + 25
# After the first copy of an email, how long the suite watches for a second.
DUPLICATE_WATCH_SECONDS = 3
RENDITION_TASK_RECEIVED = re.compile(r"Task actors\.make_photo_renditions\[[^\]]+\] received")


def figure(request: pytest.FixtureRequest, line: str) -> None:
    print(f"\n{line}", flush=True)
    request.node.user_properties.append(("figure", line))


def signed_in_browser(portal: Portal, email: str) -> Browser:
    browser = Browser(portal.base_url)
    answer = browser.sign_in(email, portal.seed["password"])
    assert signed_in(answer), f"could not sign in as {email} with every part up: {answer}\n{portal.logs()}"
    return browser


def notification_for(postgres, *, request_id: int, event: str) -> int | None:
    value = postgres.value(
        "SELECT id FROM marketplace_notification WHERE event_key = %s", f"usage_request:{request_id}:{event}"
    )
    return int(value) if value is not None else None


def failures(answers: list[Answer]) -> str:
    return ", ".join(str(answer) for answer in answers if answer.failed)


def jpeg(size: tuple[int, int]) -> bytes:
    """A photo-like JPEG: smooth noise, so it compresses like a photo does."""
    noise = Image.effect_noise((max(size[0] // 10, 1), max(size[1] // 10, 1)), 60).convert("RGB")
    buffer = io.BytesIO()
    noise.resize(size, Image.Resampling.BICUBIC).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def test_without_redis_sign_in_api_licence_check_and_moves_answer_and_the_email_follows(
    request, portal, redis, postgres, smtp
):
    inbox, _port = smtp
    seed = portal.seed
    request_id = seed["request_declined_without_redis"]
    actor = signed_in_browser(portal, seed["actor_email"])
    newcomer = Browser(portal.base_url)
    public = Browser(portal.base_url)
    tool = Browser(portal.base_url, token=seed["creator_token"])
    already = len(actor.answers)
    problems: list[str] = []

    redis.stop()
    try:
        sign_in = newcomer.sign_in(seed["actor_email"], seed["password"])
        if not signed_in(sign_in):
            problems.append(f"sign-in did not sign in: {sign_in}")
        api = tool.get("/api/v1/actors/")
        if api.status != 200:
            problems.append(f"API: {api}")
        licence = public.get(f"/verify/{seed['licence_code']}/")
        if licence.status != 200 or seed["licence_code"] not in licence.text:
            problems.append(f"licence check: {licence}")
        move = actor.submit(
            f"/requests/{request_id}/decline/", {"reason": "Not this time."}, form_page=f"/requests/{request_id}/"
        )
        if move.status != 302:
            problems.append(f"decline: {move}")
        status = postgres.value("SELECT status FROM usage_requests_usagerequest WHERE id = %s", request_id)
        if status != "declined":
            problems.append(f"the decline did not commit: the request is {status}")
    finally:
        redis.start()
    restarted = time.monotonic()
    outage = [*newcomer.answers, *public.answers, *tool.answers, *actor.answers[already:]]
    if any(answer.failed for answer in outage):
        problems.append(f"answered with a server error or not at all while Redis was down: {failures(outage)}")

    notification_id = notification_for(postgres, request_id=request_id, event="declined")
    email_seconds = None
    copies = 0
    if notification_id is None:
        problems.append("the decline wrote no notification for the creator")
    elif wait_until(lambda: inbox.copies_of(notification_id) >= 1, timeout=EMAIL_AFTER_REDIS_SECONDS, interval=0.2):
        email_seconds = time.monotonic() - restarted
        time.sleep(DUPLICATE_WATCH_SECONDS)
        copies = inbox.copies_of(notification_id)
        if copies != 1:
            problems.append(f"the decline's email arrived {copies} times")
    else:
        state = postgres.query(
            "SELECT email_status, email_attempts, email_last_error FROM marketplace_notification WHERE id = %s",
            notification_id,
        )
        problems.append(
            f"the decline's email did not arrive within {EMAIL_AFTER_REDIS_SECONDS} s of Redis's restart "
            f"(notification {notification_id}: status, attempts, last error = {state})"
        )

    email = f"email after restart in {email_seconds:.1f} s" if email_seconds is not None else "no email"
    figure(
        request,
        f"faults redis: {sum(a.status == 500 for a in outage)} x 500 during outage ({len(outage)} requests), "
        f"{email}, copies={copies}",
    )
    assert not problems, "\n".join(problems) + "\n" + portal.logs()


def test_postgres_restart_gives_no_500_once_it_is_back(request, portal, postgres):
    seed = portal.seed
    code = seed["licence_code"]
    stop = threading.Event()
    clients: list[list[tuple[Browser, str]]] = []
    # Two clients, so both gunicorn workers (and their pools) are kept busy.
    for _ in range(2):
        pages = signed_in_browser(portal, seed["actor_email"])
        tool = Browser(portal.base_url, token=seed["creator_token"])
        clients.append(
            [(pages, "/requests/"), (tool, "/api/v1/actors/"), (pages, "/notifications/"), (pages, f"/verify/{code}/")]
        )
    for pages, _path in (client[0] for client in clients):
        pages.answers.clear()

    def keep_asking(paths: list[tuple[Browser, str]]) -> None:
        while not stop.is_set():
            for browser, path in paths:
                browser.get(path)

    threads = [threading.Thread(target=keep_asking, args=(paths,), daemon=True) for paths in clients]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        went_down = time.monotonic()
        postgres.restart()
        assert wait_until(postgres.accepts_connections, timeout=30), "PostgreSQL did not come back"
        back = time.monotonic()
        time.sleep(6)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        if not postgres.accepts_connections():
            postgres.restart()

    answers = sorted(
        {id(answer): answer for paths in clients for browser, _path in paths for answer in browser.answers}.values(),
        key=lambda answer: answer.started,
    )
    before = [answer for answer in answers if answer.finished < went_down]
    during = [answer for answer in answers if answer.started < back and answer.finished >= went_down]
    after = [answer for answer in answers if answer.started >= back]
    figure(
        request,
        f"faults postgres: {len(answers)} requests, {sum(a.status == 503 for a in during)} x 503 during restart "
        f"({len(during)} requests in {back - went_down:.1f} s, {sum(a.status == 500 for a in during)} x 500), "
        f"{sum(a.status == 500 for a in after)} x 500 after it was back ({len(after)} requests)",
    )
    problems = []
    if any(answer.failed for answer in before):
        problems.append(f"before the restart: {failures(before)}")
    if any(answer.failed and answer.status != 503 for answer in during):
        problems.append(f"during the restart (503 is the answer for it): {failures(during)}")
    if any(answer.failed for answer in after):
        problems.append(f"after PostgreSQL accepted connections again: {failures(after)}")
    if not after:
        problems.append("no request was sent after PostgreSQL was back")
    assert not problems, "\n".join(problems) + "\n" + portal.logs()


def test_killed_worker_catches_up_on_the_rendition_and_the_email_once_each(request, portal, postgres, smtp):
    inbox, _port = smtp
    seed = portal.seed
    actor_id = seed["actor_profile_id"]
    request_id = seed["request_declined_before_kill"]
    actor = signed_in_browser(portal, seed["actor_email"])
    photo = jpeg((6000, 6000))  # large enough that rendering it takes about a second
    problems: list[str] = []
    try:
        # 1. SIGKILL the whole worker as soon as it has taken the rendition.
        worker = portal.worker
        assert worker is not None
        assert worker.running
        seen = len(worker.log_text())
        upload = actor.submit("/actors/me/photos/", {}, files={"photos": ("large.jpg", photo, "image/jpeg")})
        assert upload.status == 302, f"the upload failed with every part up: {upload}\n{portal.logs()}"
        photo_id = postgres.value("SELECT max(id) FROM actors_likenessphoto WHERE actor_id = %s", actor_id)
        taken = wait_until(
            lambda: RENDITION_TASK_RECEIVED.search(worker.log_text()[seen:]) is not None, timeout=30, interval=0.01
        )
        portal.kill_worker()
        assert taken, f"the worker never took the rendition task\n{worker.log_tail()}"
        renditions = postgres.value("SELECT renditions FROM actors_likenessphoto WHERE id = %s", photo_id)
        assert renditions == "pending", f"the rendition finished before the kill ({renditions}): use a larger image"

        # 2. Another worker; SIGKILL it in the middle of an email (held at RCPT TO).
        portal.start_worker()
        inbox.hold(seed["other_creator_email"])
        move = actor.submit(
            f"/requests/{request_id}/decline/", {"reason": "Not this time."}, form_page=f"/requests/{request_id}/"
        )
        assert move.status == 302, f"the decline failed with every part up: {move}\n{portal.logs()}"
        notification_id = notification_for(postgres, request_id=request_id, event="declined")
        assert notification_id is not None, "the decline wrote no notification"
        sending = inbox.holding.wait(timeout=30)
        portal.kill_worker()
        inbox.release()
        assert sending, f"the worker never began the email\n{portal.logs()}"

        # 3. A new worker: both must be caught up by the sweeps, once each.
        portal.start_worker()
        restarted = time.monotonic()
        done: dict[str, float] = {}

        def caught_up() -> bool:
            if "rendition" not in done and postgres.value(
                "SELECT renditions FROM actors_likenessphoto WHERE id = %s", photo_id
            ) in ("ready", "failed"):
                done["rendition"] = time.monotonic() - restarted
            if "email" not in done and inbox.copies_of(notification_id) >= 1:
                done["email"] = time.monotonic() - restarted
            return len(done) == 2

        wait_until(caught_up, timeout=RECOVERY_SECONDS, interval=0.25)
        time.sleep(DUPLICATE_WATCH_SECONDS)
        copies = inbox.copies_of(notification_id)
        renditions = postgres.value("SELECT renditions FROM actors_likenessphoto WHERE id = %s", photo_id)
        ready = postgres.value(
            "SELECT count(*) FROM actors_likenessphoto WHERE actor_id = %s AND renditions = 'ready'", actor_id
        )
        folder = portal.media / "likeness" / str(actor_id)
        thumbnails = len(files_under(folder / "thumbnail")) if (folder / "thumbnail").exists() else 0
        previews = len(files_under(folder / "preview")) if (folder / "preview").exists() else 0
        email_state = postgres.value("SELECT email_status FROM marketplace_notification WHERE id = %s", notification_id)

        def seconds(what: str) -> str:
            return f"in {done[what]:.1f} s" if what in done else f"not within {RECOVERY_SECONDS} s"

        figure(
            request,
            f"faults worker: SIGKILLed mid-rendition and mid-email; after restart rendition {renditions} "
            f"{seconds('rendition')}, email {email_state} {seconds('email')}, copies={copies}",
        )
        if renditions != "ready":
            problems.append(f"the photo's renditions are {renditions!r} {seconds('rendition')} after the restart")
        if (thumbnails, previews) != (ready, ready):
            problems.append(f"{ready} photos ready but {thumbnails} thumbnails and {previews} previews stored")
        if copies != 1:
            problems.append(f"the email arrived {copies} times ({seconds('email')}); its status is {email_state}")
    finally:
        inbox.release()
        portal.ensure_worker()
    assert not problems, "\n".join(problems) + "\n" + portal.logs()


def test_unwritable_media_gets_could_not_store_and_nothing_is_stored(request, portal, postgres, workdir):
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed (apt-get install -y e2fsprogs)")
    probe = workdir / "chattr-probe"
    probe.mkdir()
    try:
        tried = chattr(probe, "+i")
    finally:
        chattr(probe, "-i")
        probe.rmdir()
    if tried.returncode != 0:
        pytest.skip(f"chattr +i does not work here (root on a filesystem with attributes): {tried.stderr.strip()}")

    seed = portal.seed
    actor_id = seed["actor_profile_id"]
    actor = signed_in_browser(portal, seed["actor_email"])
    photo = jpeg((800, 600))
    count = "SELECT count(*) FROM actors_likenessphoto WHERE actor_id = %s"
    rows_before = postgres.value(count, actor_id)
    files_before = files_under(portal.media)
    try:
        locked = chattr(portal.media, "+i")
        assert locked.returncode == 0, f"chattr +i {portal.media}: {locked.stderr}"
        upload = actor.submit("/actors/me/photos/", {}, files={"photos": ("portrait.jpg", photo, "image/jpeg")})
    finally:
        unlocked = chattr(portal.media, "-i")
    assert unlocked.returncode == 0, f"chattr -i {portal.media}: {unlocked.stderr}"
    new_rows = postgres.value(count, actor_id) - rows_before
    new_files = sorted(files_under(portal.media) - files_before)
    message = "could not store" in upload.text.lower()
    figure(
        request,
        f"faults storage: upload answered {upload.status or 'nothing'}"
        f"{' with' if message else ' without'} the could-not-store message, "
        f"{new_rows} new rows, {len(new_files)} new files",
    )
    assert upload.status == 503 or 400 <= upload.status < 500, f"{upload}\n{portal.web.log_tail()}"
    assert message, f"no 'could not store' message in the answer ({upload})"
    assert new_rows == 0
    assert not new_files
