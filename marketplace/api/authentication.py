"""``Authorization: Token <key>``: personal access tokens (``ApiToken``).

A missing header leaves the request to session authentication; a header
naming an unknown or revoked key, a malformed header, or the key of a
deactivated or suspended account is a 401, never a silent anonymous request.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from marketplace.http import client_ip
from marketplace.selectors import api_token_for_key
from marketplace.services import api_token_touch

KEYWORD = "Token"
# Keys are "cc_" and 43 characters; anything much longer is not a key.
MAX_KEY_LENGTH = 100


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_('Send the header as "Authorization: Token <key>", with one key.'))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("This token is unknown or has been revoked.")) from None
        token = api_token_for_key(key) if len(key) <= MAX_KEY_LENGTH else None
        if token is None:
            raise AuthenticationFailed(_("This token is unknown or has been revoked."))
        user = token.user
        if not user.is_active or user.suspended_at is not None:
            raise AuthenticationFailed(_("This account is deactivated or suspended; its tokens do not work."))
        api_token_touch(token=token, ip_address=client_ip(request))
        return user, token

    def authenticate_header(self, request) -> str:
        # Makes an unauthenticated request a 401 (with WWW-Authenticate), not a 403.
        return KEYWORD


def user_from_token_header(request):
    """The user of a valid ``Authorization: Token`` header, or None: for plain
    Django views a tool calls with its token (the photo files)."""
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return found[0] if found else None
