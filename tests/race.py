"""Thread race harness shared by the PostgreSQL race tests."""

import threading

from django.db import connection


def race(*calls):
    """Run each call in its own thread, all released together by a barrier.

    Returns ``[("ok", result) | ("error", exception), ...]`` in call order.
    Each thread opens its own database connection; it is closed when the
    thread ends so it is not leaked and cannot block the test database's
    flush or teardown.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - each outcome is asserted by the test
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not thread.is_alive() for thread in threads)
    return outcomes
