"""URLs of the actor side: the actor's own pages under /actors/me/ and the
guarded photo files. (The identity check at /actors/me/verify/ belongs to
the moderation app, which decides it.)"""

from django.urls import path

from actors.views import photos, privacy, profile

app_name = "actors"
urlpatterns = [
    path("actors/me/", profile.profile_edit, name="profile_edit"),
    path("actors/me/photos/", photos.photos, name="photos"),
    path("actors/me/photos/<int:pk>/primary/", photos.photo_primary, name="photo_primary"),
    path("actors/me/photos/<int:pk>/delete/", photos.photo_remove, name="photo_delete"),
    path("actors/me/photos/<int:pk>/move/", photos.photo_move, name="photo_move"),
    path("actors/me/photos/<int:pk>/retry/", photos.photo_retry, name="photo_retry"),
    path("actors/me/photos/<int:pk>/status/", photos.photo_status, name="photo_status"),
    path("actors/me/red-lines/", profile.red_lines, name="red_lines"),
    path("actors/me/opt-in/", profile.opt_in, name="opt_in"),
    path("actors/me/access/", privacy.access_log, name="access_log"),
    path("actors/me/access.csv", privacy.access_log_export, name="access_log_csv"),
    path("actors/me/access/archives/<int:pk>/", privacy.access_log_archive_download, name="access_log_archive"),
    path("actors/me/data/", privacy.data, name="data"),
    path("actors/me/data/export/", privacy.data_export, name="data_export"),
    path("actors/me/data/exports/<int:pk>/status/", privacy.data_export_status, name="data_export_status"),
    path("actors/me/data/exports/<str:token>/", privacy.data_export_download, name="data_export_download"),
    path("actors/me/data/delete/", privacy.account_remove, name="account_delete"),
    path("actors/photos/<int:pk>/<slug:kind>/", photos.photo_file, name="photo"),
]
