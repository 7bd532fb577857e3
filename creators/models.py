"""Creator side. The foundation holds only the profile row that makes a user a
creator; studio details, projects and shots grow in the creators issue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CreatorProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creator_profile")
    display_name = models.CharField(_("display name"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("creator profile")
        verbose_name_plural = _("creator profiles")

    def __str__(self) -> str:
        return self.display_name
