"""The top floor's pages: the landing page, the dashboard and onboarding.

The dashboard knows every role, so it lives here, above the apps it shows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from actors.selectors import actor_profile_for_user
from marketplace.exceptions import RoleAlreadyHeld
from marketplace.http import AuthenticatedRequest, ClientInfo, PortalRequest, portal_state
from marketplace.selectors import notifications_for_user, user_has_totp, user_needs_onboarding
from portal.forms import OnboardingForm
from portal.selectors import checklist_for_actor
from portal.services import onboarding_role_add
from usage_requests.forms import LicenceCheckForm


@require_safe
def home(request: PortalRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html", {"licence_form": LicenceCheckForm()})
    state = portal_state(request)
    if user_needs_onboarding(request.user, state):
        return redirect("onboarding")
    context = {
        "latest_notifications": notifications_for_user(request.user)[:5],
        "has_mfa": state["is_moderator"] and user_has_totp(request.user),
    }
    if state["is_actor"]:
        actor = actor_profile_for_user(request.user)
        context["actor_profile"] = actor
        context["checklist"] = checklist_for_actor(actor) if actor else []
    return render(request, "portal/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def onboarding(request: AuthenticatedRequest) -> HttpResponse:
    state = portal_state(request)
    held = {role for role in ("actor", "creator") if state[f"is_{role}"]}
    if held == {"actor", "creator"}:
        messages.info(request, _("You already have both roles."))
        return redirect("home")
    # The landing's "Join as an actor/creator" buttons send ?role=… through sign-up; anything else is ignored.
    form = OnboardingForm(
        request.POST if request.method == "POST" else None,
        held_roles=held,
        initial={"role": request.GET.get("role", "")},
    )
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        try:
            onboarding_role_add(
                user=request.user,
                role=role,
                name=form.cleaned_data["name"],
                client=ClientInfo.from_request(request),
            )
        except RoleAlreadyHeld as exc:
            messages.info(request, exc.message)
            return redirect("home")
        if role == "actor":
            messages.success(request, _("Your actor profile is created. Nobody can find you until you opt in."))
        else:
            messages.success(request, _("Your creator profile is created."))
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/onboarding.html", {"form": form, "held_roles": held}, status=status)
