"""The creators' roster: included from marketplace/urls.py without a namespace."""

from django.urls import path

from creators import roster_views

urlpatterns = [
    path("roster/", roster_views.roster, name="roster"),
    path("roster/<slug:slug>/", roster_views.roster_actor, name="roster_actor"),
]
