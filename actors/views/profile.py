"""The actor's profile, red lines and opt-in pages."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from actors.consent import CONSENT_VERSION, consent_text
from actors.forms import ActorProfileForm, OptInForm, RedLinesForm
from actors.models import ActorProfile, RedLines
from actors.selectors import (
    consent_history,
)
from actors.services import (
    actor_opt_in,
    actor_opt_out,
    actor_profile_update,
    red_lines_update,
)
from actors.views.access import actor_required
from marketplace.exceptions import InvalidTransition
from marketplace.http import AuthenticatedRequest, ClientInfo


@require_http_methods(["GET", "POST"])
@actor_required
def profile_edit(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    form = ActorProfileForm(request.POST if request.method == "POST" else None, instance=actor)
    if request.method == "POST":
        if form.is_valid():
            actor_profile_update(actor=actor, data=form.cleaned_data)
            messages.success(request, _("Your profile is saved."))
            return redirect("actors:profile_edit")
        actor.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return render(request, "actors/profile_edit.html", {"form": form, "actor": actor}, status=status)


@require_http_methods(["GET", "POST"])
@actor_required
def red_lines(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    current, _created = RedLines.objects.get_or_create(actor=actor)
    initial = {
        "excluded_categories": current.excluded_categories,
        "blocked_keywords": ", ".join(current.blocked_keywords),
        "accepted_territories": current.accepted_territories,
        "ai_training_allowed": current.ai_training_allowed,
        "max_term_months": actor.max_term_months,
    }
    form = RedLinesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        red_lines_update(actor=actor, **form.cleaned_data)
        messages.success(request, _("Your red lines are saved. Requests that cross them are refused."))
        return redirect("actors:red_lines")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "actor": actor, "red_lines": current}
    return render(request, "actors/red_lines.html", context, status=status)


@require_http_methods(["GET", "POST"])
@actor_required
def opt_in(request: AuthenticatedRequest, actor: ActorProfile) -> HttpResponse:
    form = OptInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        client = ClientInfo.from_request(request)
        try:
            if request.POST.get("action") == "opt_out":
                actor_opt_out(actor=actor, client=client)
                messages.success(request, _("You have opted out. Your profile is hidden from the roster."))
                return redirect("actors:opt_in")
            if form.is_valid():
                actor_opt_in(actor=actor, client=client)
                if actor.is_listed:
                    messages.success(request, _("You are opted in and listed on the roster."))
                else:
                    messages.success(
                        request, _("You are opted in. You will be listed once a moderator has verified your identity.")
                    )
                return redirect("actors:opt_in")
        except InvalidTransition as exc:
            messages.info(request, exc.message)
            return redirect("actors:opt_in")
    context = {
        "form": form,
        "actor": actor,
        "consent_text": consent_text(),
        "consent_version": CONSENT_VERSION,
        "history": consent_history(actor)[:50],
    }
    return render(request, "actors/opt_in.html", context, status=400 if request.method == "POST" else 200)
