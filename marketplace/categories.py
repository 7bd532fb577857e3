"""Content categories: the one list that red lines, projects and shots share.

Keys are stable (stored in rows and sent through the API); labels translate.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentCategory(models.TextChoices):
    FILM = "film", _("Film")
    TV_DRAMA = "tv_drama", _("TV drama")
    SHORT_VIDEO = "short_video", _("Short video")
    ADVERTISING = "advertising", _("Advertising")
    MUSIC_VIDEO = "music_video", _("Music video")
    GAME = "game", _("Game")
    EDUCATION = "education", _("Education")
    NEWS_DOCUMENTARY = "news_documentary", _("News / documentary")
    POLITICAL = "political", _("Political")
    RELIGIOUS = "religious", _("Religious")
    ADULT = "adult", _("Adult")
    ALCOHOL_TOBACCO = "alcohol_tobacco", _("Alcohol / tobacco")
    GAMBLING = "gambling", _("Gambling")
    MEDICAL_CLAIMS = "medical_claims", _("Medical claims")
