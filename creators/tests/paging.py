"""Following a roster search's "next" links, for tests."""

from creators.selectors.roster import RosterParams, roster_search


def walk(params: RosterParams, *, page_size: int, between_pages=None) -> list[int]:
    """Every actor id met following "next" from the first page to the last
    (``between_pages(n)`` after page n, if given)."""
    seen: list[int] = []
    cursor, pages = None, 0
    while True:
        page = roster_search(params=params, cursor=cursor, page_size=page_size)
        assert not page.cursor_rejected
        seen.extend(actor.pk for actor in page.actors)
        pages += 1
        if between_pages:
            between_pages(pages)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
        assert pages < 100
