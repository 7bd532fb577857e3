"""Actor side. The foundation holds only the profile row that makes a user an
actor; profile fields, photos, consent and red lines grow in the actors issue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="actor_profile")
    stage_name = models.CharField(_("stage name"), max_length=80)
    slug = models.SlugField(max_length=90, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("actor profile")
        verbose_name_plural = _("actor profiles")

    def __str__(self) -> str:
        return self.stage_name
