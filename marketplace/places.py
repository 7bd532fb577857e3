"""Territories and countries: the lists that profiles, red lines, projects and
request terms share. Keys are stable (stored and sent through the API);
labels translate.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Territory(models.TextChoices):
    """Where licensed content may be distributed."""

    WORLDWIDE = "worldwide", _("Worldwide")
    CN_MAINLAND = "cn_mainland", _("Mainland China")
    HK_MO_TW = "hk_mo_tw", _("Hong Kong, Macao and Taiwan")
    EAST_ASIA = "east_asia", _("Japan and Korea")
    SOUTHEAST_ASIA = "southeast_asia", _("Southeast Asia")
    SOUTH_ASIA = "south_asia", _("South Asia")
    OCEANIA = "oceania", _("Oceania")
    NORTH_AMERICA = "north_america", _("North America")
    LATIN_AMERICA = "latin_america", _("Latin America")
    EUROPE = "europe", _("Europe")
    MIDDLE_EAST_AFRICA = "middle_east_africa", _("Middle East and Africa")


def territory_covered(requested: str, accepted: list[str]) -> bool:
    """Whether distribution in ``requested`` stays inside ``accepted``.

    Accepting "worldwide" accepts every territory; asking for "worldwide" needs
    "worldwide" (or every other territory) accepted.
    """
    if Territory.WORLDWIDE in accepted or requested in accepted:
        return True
    if requested == Territory.WORLDWIDE:
        regions = {t.value for t in Territory} - {Territory.WORLDWIDE.value}
        return regions <= set(accepted)
    return False


class Country(models.TextChoices):
    """Where an actor or studio is based (ISO 3166-1 alpha-2 keys)."""

    CN = "CN", _("China (mainland)")
    HK = "HK", _("Hong Kong")
    MO = "MO", _("Macao")
    TW = "TW", _("Taiwan")
    SG = "SG", _("Singapore")
    MY = "MY", _("Malaysia")
    JP = "JP", _("Japan")
    KR = "KR", _("South Korea")
    TH = "TH", _("Thailand")
    VN = "VN", _("Vietnam")
    PH = "PH", _("Philippines")
    ID = "ID", _("Indonesia")
    IN = "IN", _("India")
    AU = "AU", _("Australia")
    NZ = "NZ", _("New Zealand")
    US = "US", _("United States")
    CA = "CA", _("Canada")
    MX = "MX", _("Mexico")
    BR = "BR", _("Brazil")
    AR = "AR", _("Argentina")
    GB = "GB", _("United Kingdom")
    IE = "IE", _("Ireland")
    FR = "FR", _("France")
    DE = "DE", _("Germany")
    ES = "ES", _("Spain")
    IT = "IT", _("Italy")
    NL = "NL", _("Netherlands")
    SE = "SE", _("Sweden")
    PL = "PL", _("Poland")
    RU = "RU", _("Russia")
    TR = "TR", _("Turkey")
    AE = "AE", _("United Arab Emirates")
    NG = "NG", _("Nigeria")
    ZA = "ZA", _("South Africa")
    OTHER = "ZZ", _("Other")
