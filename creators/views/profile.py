"""The creator's own profile form and the public creator page."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from creators.forms import CreatorProfileForm
from creators.selectors import creator_profile_of, creator_profiles_visible
from creators.services import creator_profile_update
from creators.views.access import creator_required
from marketplace.http import AuthenticatedRequest, get_in_scope_or_404


def _is_web_address(url: str) -> bool:
    return urlsplit(url).scheme.lower() in {"http", "https"}


# --- Creator profile and page ---------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@creator_required
def profile_edit(request: AuthenticatedRequest) -> HttpResponse:
    profile = creator_profile_of(request.user)
    form = CreatorProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        creator_profile_update(profile=profile, **form.cleaned_data)
        messages.success(request, _("Your creator profile is saved."))
        return redirect("creators:profile_edit")
    status = 400 if request.method == "POST" else 200
    return render(request, "creators/profile_form.html", {"form": form, "profile": profile}, status=status)


@require_safe
@login_required
def creator_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    profile = get_in_scope_or_404(request, creator_profiles_visible().select_related("user"), pk=pk)
    context = {
        "profile": profile,
        "website": profile.website if _is_web_address(profile.website) else "",
        "is_own": profile.user_id == request.user.pk,
    }
    return render(request, "creators/creator_detail.html", context)
