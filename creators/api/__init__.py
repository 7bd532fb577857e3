"""The creator side's API: the roster (``roster``) and projects with their
shots (``projects``). ``portal.api`` mounts ``urlpatterns`` under /api/v1/."""

from creators.api import projects, roster

urlpatterns = roster.urlpatterns + projects.urlpatterns
