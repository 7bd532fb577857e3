"""The portal's languages, and speaking a signed-in user's language."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def is_supported(code: str) -> bool:
    return code in {language for language, _name in settings.LANGUAGES}


def activate_for_user(request: HttpRequest | None, user) -> None:
    """Switch this thread (and ``request.LANGUAGE_CODE``) to the account's language."""
    if is_supported(user.preferred_language):
        translation.activate(user.preferred_language)
        if request is not None:
            request.LANGUAGE_CODE = user.preferred_language
