"""allauth hooks: where users land after signing in, their language, and
the refusal of suspended accounts."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.languages import is_supported
from marketplace.selectors import user_needs_onboarding


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

    def save_user(self, request, user, form, commit=True):
        # The language the visitor signed up in is the one we write to them in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.preferred_language = language if is_supported(language) else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)
