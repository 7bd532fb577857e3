"""URLs of the creators app: the creator's profile and page, projects, shots
and shortlists (namespace ``creators``), and the roster, which the root
URLconf mounts without a namespace (``roster_urlpatterns``)."""

from django.urls import path

from creators.views import profile, projects, roster

app_name = "creators"

urlpatterns = [
    path("creators/me/", profile.profile_edit, name="profile_edit"),
    path("creators/<int:pk>/", profile.creator_detail, name="detail"),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_new, name="project_new"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/shots/new/", projects.shot_new, name="shot_new"),
    path("projects/<int:pk>/shots/<int:shot_pk>/", projects.shot_row, name="shot_row"),
    path("projects/<int:pk>/shots/<int:shot_pk>/edit/", projects.shot_edit, name="shot_edit"),
    path("projects/<int:pk>/shots/<int:shot_pk>/delete/", projects.shot_delete, name="shot_delete"),
    path("projects/<int:pk>/shots/<int:shot_pk>/move/", projects.shot_move_view, name="shot_move"),
    path("projects/<int:pk>/shortlist/<slug:slug>/add/", projects.shortlist_add_view, name="shortlist_add"),
    path("projects/<int:pk>/shortlist/<slug:slug>/remove/", projects.shortlist_remove_view, name="shortlist_remove"),
]

roster_urlpatterns = [
    path("roster/", roster.roster, name="roster"),
    path("roster/<slug:slug>/", roster.roster_actor, name="roster_actor"),
]
