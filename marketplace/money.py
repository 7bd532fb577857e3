"""Currencies the portal quotes fees in, and one reference rate table.

Fees are stored in the currency the person chose. To compare fees across
currencies (the roster's "maximum fee" filter) each fee is also stored in US
dollars at these fixed reference rates; they are indicative, documented in the
README, and never used for a contract, which always states its own currency.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    GBP = "GBP", _("British pound (GBP)")
    JPY = "JPY", _("Japanese yen (JPY)")
    KRW = "KRW", _("South Korean won (KRW)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")


# Units of each currency per US dollar.
REFERENCE_RATES = {
    Currency.CNY: Decimal("7.10"),
    Currency.USD: Decimal("1"),
    Currency.EUR: Decimal("0.92"),
    Currency.GBP: Decimal("0.79"),
    Currency.JPY: Decimal("150"),
    Currency.KRW: Decimal("1350"),
    Currency.HKD: Decimal("7.80"),
}


def to_reference(amount: Decimal, currency: str) -> Decimal:
    """``amount`` in US dollars at the reference rate, to the cent."""
    return (Decimal(amount) / REFERENCE_RATES[Currency(currency)]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
