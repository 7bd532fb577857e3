from django.urls import path

from actors import views

app_name = "actors"
urlpatterns = [
    path("actors/me/", views.profile_edit, name="profile_edit"),
    path("actors/me/photos/", views.photos, name="photos"),
    path("actors/me/photos/<int:pk>/primary/", views.photo_primary, name="photo_primary"),
    path("actors/me/photos/<int:pk>/delete/", views.photo_remove, name="photo_delete"),
    path("actors/me/photos/<int:pk>/move/", views.photo_move, name="photo_move"),
    path("actors/me/red-lines/", views.red_lines, name="red_lines"),
    path("actors/me/opt-in/", views.opt_in, name="opt_in"),
    path("actors/me/verify/", views.verification, name="verification"),
    path("actors/me/access/", views.access_log, name="access_log"),
    path("actors/me/access.csv", views.access_log_export, name="access_log_csv"),
    path("actors/me/data/", views.data, name="data"),
    path("actors/me/data/export/", views.data_export, name="data_export"),
    path("actors/me/data/exports/<str:token>/", views.data_export_download, name="data_export_download"),
    path("actors/me/data/delete/", views.account_remove, name="account_delete"),
    path("actors/photos/<int:pk>/<slug:kind>/", views.photo_file, name="photo"),
]
