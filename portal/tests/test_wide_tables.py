"""Every table of the portal scrolls inside its own box on a phone (issue
17): each ``<table>`` in the templates sits in a ``.table-responsive``
wrapper, and that wrapper is positioned (site.css), so the visually hidden
labels of the buttons in its rows cannot escape it and widen the page.
tests/e2e/test_small_screens.py measures the pages themselves."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_every_table_sits_in_a_scrolling_box():
    unwrapped = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        tables = len(re.findall(r"<table\b", text))
        boxes = len(re.findall(r'class="[^"]*\btable-responsive\b', text))
        if tables > boxes:
            unwrapped.append(str(template.relative_to(TEMPLATES)))
    assert unwrapped == []


def test_the_scrolling_box_is_positioned():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    assert re.search(r"\.table-responsive\s*\{[^}]*position:\s*relative", css)
