"""allauth hooks: where users land after signing in, their language, and
the refusal of suspended accounts."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.http import client_ip
from marketplace.languages import is_supported
from marketplace.selectors import user_needs_onboarding


@dataclass(frozen=True)
class PortalSite:
    """What allauth's email templates read of ``current_site``."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        if user_needs_onboarding(request.user):
            return reverse("onboarding")
        return super().get_login_redirect_url(request)

    def pre_login(self, request, user, **kwargs):
        # The backends refuse a suspended account, and allauth then carries on
        # with the user whose password matched: stop it here, with the reason.
        if getattr(user, "suspended_at", None) is not None:
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            messages.error(
                request,
                _("This account is suspended by a moderator. You were told why by email; reply to it to appeal."),
            )
            return HttpResponseRedirect(reverse("account_login"))
        return super().pre_login(request, user, **kwargs)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's per-account limit of failed sign-ins ("5/5m/key") counts
        # per account AND address: five wrong passwords from one place no
        # longer lock the owner out from everywhere. A spread attack still
        # meets the account-wide hourly limit below, and the owner can always
        # sign in with a code sent by email (ACCOUNT_LOGIN_BY_CODE_ENABLED).
        # allauth's own key starts with the host the request named (the site
        # domain, without django.contrib.sites): web processes reached under
        # different names, or an attacker cycling through ALLOWED_HOSTS, would
        # each count apart. One portal, one count: the account and the address.
        login = str(credentials.get("email", credentials.get("username", ""))).lower()
        return f"{login}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        login = str(credentials.get("email", "")).lower()
        if not ratelimit.consume(request, action="login_account", key=login):
            raise self.validation_error("too_many_login_attempts")

    def get_client_ip(self, request):
        # One rule for every address the portal derives (NUM_PROXIES); allauth's
        # own raises ImproperlyConfigured (a 500) on a short X-Forwarded-For.
        return client_ip(request) or "0.0.0.0"  # noqa: S104 - an address to count by, never bound

    def send_mail(self, template_prefix, email, context):
        # allauth names the site after the host a request named (no
        # django.contrib.sites): "Hello from 127.0.0.1:8000!". Our emails
        # name the portal, and the address SITE_URL gives.
        site = PortalSite(name="ConsentCast", domain=urlsplit(settings.SITE_URL).netloc)
        return super().send_mail(template_prefix, email, {"current_site": site, **context})

    def save_user(self, request, user, form, commit=True):
        # The language the visitor signed up in is the one we write to them in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.preferred_language = language if is_supported(language) else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)
