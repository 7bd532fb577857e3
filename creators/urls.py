"""URLs of the creators app: profile, creator pages, projects, shots, shortlists."""

from django.urls import path

from creators import views

app_name = "creators"

urlpatterns = [
    path("creators/me/", views.profile_edit, name="profile_edit"),
    path("creators/<int:pk>/", views.creator_detail, name="detail"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/shots/new/", views.shot_new, name="shot_new"),
    path("projects/<int:pk>/shots/<int:shot_pk>/", views.shot_row, name="shot_row"),
    path("projects/<int:pk>/shots/<int:shot_pk>/edit/", views.shot_edit, name="shot_edit"),
    path("projects/<int:pk>/shots/<int:shot_pk>/delete/", views.shot_delete, name="shot_delete"),
    path("projects/<int:pk>/shots/<int:shot_pk>/move/", views.shot_move_view, name="shot_move"),
    path("projects/<int:pk>/shortlist/<slug:slug>/add/", views.shortlist_add_view, name="shortlist_add"),
    path("projects/<int:pk>/shortlist/<slug:slug>/remove/", views.shortlist_remove_view, name="shortlist_remove"),
]
