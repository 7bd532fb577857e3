"""Account settings > API tokens (``/accounts/tokens/``): create a named
personal access token, shown once; list tokens with when they were made and
last used; revoke one. Writes go through ``marketplace.services``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.forms import clean_plain_text
from marketplace.http import AuthenticatedRequest, ClientInfo, get_in_scope_or_404
from marketplace.selectors import api_tokens_for_user
from marketplace.services import MAX_ACTIVE_TOKENS, TokenRefused, api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=80,
        help_text=gettext_lazy("Where you will use it, e.g. “render farm script” or “Lin's laptop”."),
    )

    def clean_name(self) -> str:
        return clean_plain_text(self.cleaned_data["name"])


def _page(request: AuthenticatedRequest, *, form: TokenForm, new_key: str = "", status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "tokens": list(api_tokens_for_user(request.user)),
        "new_key": new_key,
        "max_tokens": MAX_ACTIVE_TOKENS,
    }
    return render(request, "marketplace/api_tokens.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """GET: the list and the form. POST: create a token; the answer is the
    one page that ever shows its key (never stored, never redirected with)."""
    if request.method == "GET":
        return _page(request, form=TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = api_token_create(
                user=request.user, name=form.cleaned_data["name"], client=ClientInfo.from_request(request)
            )
        except TokenRefused as exc:
            form.add_error("name", exc.message)
        else:
            return _page(request, form=TokenForm(), new_key=key)
    return _page(request, form=form, status=400)


@require_POST
@login_required
def api_token_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_in_scope_or_404(request, api_tokens_for_user(request.user), pk=pk)
    api_token_revoke(token=token, user=request.user, client=ClientInfo.from_request(request))
    messages.success(
        request, _("The token “%(name)s” is revoked. Tools using it are refused from now on.") % {"name": token.name}
    )
    return redirect("api_tokens")
