"""URLs of the moderation app: the moderators' workplace under /moderation/
(404 for everyone else) and the parties' dispute and report pages. Each
views module lists its own paths."""

from moderation.views import disputes, reports, verification, workplace

app_name = "moderation"
urlpatterns = [
    *workplace.urlpatterns,
    *verification.urlpatterns,
    *disputes.urlpatterns,
    *reports.urlpatterns,
]
