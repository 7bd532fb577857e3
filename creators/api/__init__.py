"""The creator side's API: the roster (``roster``) and projects with their
shots (``projects``). ``portal.api`` mounts ``urlpatterns`` under /api/v1/."""

from functools import partial

from django.urls import path

from marketplace.lazy_views import lazy_view

# Each view is imported on its first request (marketplace.lazy_views): a
# worker links to these routes without loading DRF or the schema generator.
view = partial(lazy_view, package=__name__)

urlpatterns = [
    path("actors/", view("roster.ActorList"), name="actor-list"),
    path("actors/<slug:slug>/", view("roster.ActorDetail"), name="actor-detail"),
    path("projects/", view("projects.ProjectList"), name="project-list"),
    path("projects/<int:pk>/", view("projects.ProjectDetail"), name="project-detail"),
    path("projects/<int:pk>/shots/", view("projects.ShotList"), name="project-shots"),
]
