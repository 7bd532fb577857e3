"""Views named by their dotted path in a URLconf and imported on first use.

Every web and worker process loads the whole URLconf: a worker does so to
link to pages (every notification's email carries a link). Importing the
API's view modules there costs about 13 MB per process for nothing a worker
runs: DRF's serializers and renderers (with ``requests`` and ``ssl``, which
DRF imports when installed) and drf-spectacular's schema generator (with
``django.test``, Jinja2 and unittest, which ``extend_schema`` loads when it
decorates a view). With the API's routes written as ``lazy_view("...")``
the worker reverses them without importing them.

A lazy view answers what the URL resolver asks when it builds its tables
(its module and name) without importing; anything else (a request,
``csrf_exempt`` asked by the CSRF middleware, ``cls`` asked by the schema
generator) imports the view once and is answered by it. ``view_class`` is
never delegated: the resolver would ask for it while it populates.

A web process does not wait for a first request: ``marketplace.wsgi``
calls ``load_lazy_views()`` when the application loads (in each gunicorn
worker, ``deploy/gunicorn.conf.py``; in ``runserver``), so the first API
request is as fast as any other.
"""

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string


class LazyView:
    def __init__(self, dotted_path: str, **initkwargs) -> None:
        module, _, name = dotted_path.rpartition(".")
        self.__module__ = module
        self.__name__ = self.__qualname__ = name
        self._dotted_path = dotted_path
        self._initkwargs = initkwargs
        self._view = None

    def __repr__(self) -> str:
        return f"<LazyView {self._dotted_path}>"

    @property
    def loaded(self) -> bool:
        return self._view is not None

    def load(self):
        if self._view is None:
            self._view = import_string(self._dotted_path).as_view(**self._initkwargs)
        return self._view

    def __call__(self, request, *args, **kwargs):
        return self.load()(request, *args, **kwargs)

    def __getattr__(self, name: str):
        # Only reached for what the instance does not hold. Private names
        # and dunder probes (copy, pickle, inspect) and view_class stay
        # unanswered.
        if name.startswith("_") or name == "view_class":
            raise AttributeError(name)
        return getattr(self.load(), name)


def lazy_view(dotted_path: str, *, package: str = "", **initkwargs) -> LazyView:
    """A class-based view (``"app.api.module.ViewClass"``, or
    ``"module.ViewClass"`` within ``package``) for ``path()``."""
    return LazyView(f"{package}.{dotted_path}" if package else dotted_path, **initkwargs)


def load_lazy_views(resolver: URLResolver | None = None) -> int:
    """Import every lazy view of the URLconf now; the number imported."""
    loaded = 0
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            loaded += load_lazy_views(pattern)
        elif isinstance(pattern, URLPattern) and isinstance(pattern.callback, LazyView):
            loaded += not pattern.callback.loaded
            pattern.callback.load()
    return loaded
