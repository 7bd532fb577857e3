"""Imports point down the floors (DESIGN.md "Layout: floors"); see tests/layering.py."""

from pathlib import Path

import pytest

from tests import layering


def test_every_import_points_down_a_floor():
    problems = layering.violations(layering.all_imports())
    assert not problems, "imports that break the floors:\n" + "\n".join(map(str, problems))


def test_the_check_reads_every_app_module():
    modules = {str(path.relative_to(layering.ROOT)) for path in layering.app_modules()}
    assert "marketplace/services.py" in modules
    assert "portal/urls.py" in modules
    assert not any("/tests/" in name or "/migrations/" in name for name in modules)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("marketplace/services.py", "from actors.models import ActorProfile\n", "marketplace (floor 1) imports actors"),
        ("actors/views.py", "import moderation.services\n", "actors (floor 2) imports moderation"),
        (
            "creators/selectors.py",
            "def f():\n    from usage_requests.models import Contract\n    return Contract\n",
            "inside a function",
        ),
        (
            "usage_requests/models.py",
            "def f():\n    from usage_requests.services import x\n    return x\n",
            "without a comment",
        ),
        ("moderation/api.py", "from portal import views\n", "moderation (floor 5) imports portal"),
    ],
)
def test_a_planted_bad_import_is_named_with_file_and_line(tmp_path, name, text, needle):
    root = _tree(tmp_path, {name: text})
    problems = layering.violations(layering.all_imports(root))
    assert len(problems) == 1
    assert problems[0].path == name
    assert problems[0].line >= 1
    assert needle in problems[0].message


def test_downward_explained_and_test_imports_pass(tmp_path):
    root = _tree(
        tmp_path,
        {
            "portal/views.py": "from moderation.models import Dispute\nfrom actors import hooks\n",
            "actors/apps.py": "def ready():\n    # models load after the registry\n    from actors import models\n",
            "marketplace/tests/test_x.py": "from portal import views\n",
            "actors/migrations/0001_initial.py": "from moderation import models\n",
        },
    )
    assert layering.violations(layering.all_imports(root)) == []


def test_the_report_shows_the_graph_and_counts_violations():
    text, count = layering.report()
    assert "portal" in text
    assert "-> 1 marketplace" in text
    assert count == 0
