"""What a web or worker process imports at start: every process pays for
it in memory, whatever it then does (README "Data export memory").

The API's views are named in the URLconf and imported on first use
(``marketplace.lazy_views``): a worker links to every route without loading
DRF's views or the schema generator; a web process loads them at start.
The watermark (numpy, PyWavelets), C2PA and its signer's X.509 layer load on
the first delivered copy, PyAV (FFmpeg's libraries) on the first video."""

import copy
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from marketplace.lazy_views import LazyView, lazy_view, load_lazy_views

# What the API's view modules pull in and a worker never runs.
API_ONLY = (
    "rest_framework.views",
    "rest_framework.serializers",
    "rest_framework.renderers",
    "drf_spectacular.openapi",
    "django.test",
    "jinja2",
    "requests",
    "creators.api.roster",
    "usage_requests.api.contracts",
)
# Loaded on first use by any process: the signer's X.509 layer (the first
# copy signed or read), the watermark and C2PA (the first delivered copy),
# PyAV (the first video).
ON_FIRST_USE = ("marketplace.c2pa_signer", "cryptography.x509", "numpy", "pywt", "c2pa", "av")


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "marketplace.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_worker_links_to_every_api_route_without_importing_the_api():
    code = (
        "import django, sys; django.setup(); import marketplace.celery; "
        "from django.urls import reverse; "
        "print(reverse('api:v1:actor-detail', args=['maya']), reverse('api:v1:licence-check', args=['CC-1']), "
        "reverse('api:schema'), reverse('actors:data'), "
        f"sorted(m for m in {API_ONLY + ON_FIRST_USE!r} if m in sys.modules))"
    )
    assert _run(code) == "/api/v1/actors/maya/ /api/v1/licenses/CC-1/check /api/schema/ /actors/me/data/ []"


def test_the_web_process_imports_every_api_view_at_start():
    code = (
        "import sys; import marketplace.wsgi; "
        "from marketplace.lazy_views import load_lazy_views; "
        f"print(load_lazy_views(), sorted(m for m in {API_ONLY!r} if m not in sys.modules), "
        f"sorted(m for m in {ON_FIRST_USE!r} if m in sys.modules))"
    )
    # Nothing left to load once the WSGI application exists.
    assert _run(code) == "0 [] []"


def test_the_label_code_loads_pyav_and_c2pa_on_first_use():
    code = (
        "import django, sys; django.setup(); import marketplace.celery; "
        "import marketplace.labelling, usage_requests.services.output_labels; "
        f"print(sorted(m for m in {ON_FIRST_USE!r} if m in sys.modules))"
    )
    assert _run(code) == "[]"


def test_a_lazy_view_is_resolved_as_the_view_it_names(api_client):
    match = resolve("/api/v1/actors/")
    assert isinstance(match.func, LazyView)
    assert match._func_path == "creators.api.roster.ActorList"
    assert match.url_name == "actor-list"
    from creators.api.roster import ActorList

    # What the CSRF middleware and the schema generator ask is the view's own.
    assert match.func.csrf_exempt is True
    assert match.func.cls is ActorList
    # And the view answers: DRF's 401 for a visitor, with the token scheme.
    response = api_client.get(reverse("api:v1:actor-list"))
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")


def test_the_resolver_and_copies_never_load_a_lazy_view():
    view = lazy_view("module_that_does_not_exist.View")
    assert repr(view) == "<LazyView module_that_does_not_exist.View>"
    assert not hasattr(view, "view_class")
    assert not hasattr(view, "__wrapped__")
    copy.copy(view)
    assert view.loaded is False
    with pytest.raises(ImportError):
        view.csrf_exempt  # noqa: B018 - the first real question imports it


def test_a_view_within_a_package_is_named_from_it():
    view = lazy_view("roster.ActorDetail", package="creators.api")
    assert (view.__module__, view.__name__) == ("creators.api.roster", "ActorDetail")


def test_loading_every_lazy_view_loads_each_once():
    load_lazy_views()
    assert load_lazy_views() == 0
    assert isinstance(resolve("/api/v1/webhooks/").func, LazyView)
    assert resolve("/api/v1/webhooks/").func.loaded
