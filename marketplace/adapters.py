"""allauth hooks: where users land after signing in, and their language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from marketplace.languages import is_supported
from marketplace.selectors import user_needs_onboarding


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        if user_needs_onboarding(request.user):
            return reverse("onboarding")
        return super().get_login_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        # The language the visitor signed up in is the one we write to them in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.preferred_language = language if is_supported(language) else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)
