"""Projects, their shot lists (htmx fragments) and shortlists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actors.models import ActorProfile
from creators.forms import ProjectForm, ShotForm, ShotMoveForm
from creators.models import DistributionChannel, LikenessUsage, Project, Shot
from creators.selectors import (
    creator_profile_of,
    projects_for_user,
    projects_with_shot_counts,
    shortlist_for_project,
    shortlist_removable_actors,
    shots_for_project,
)
from creators.services import (
    ActorNotListed,
    InvalidDates,
    ShotInUse,
    ShotNumberTaken,
    project_create,
    project_update,
    shortlist_add,
    shortlist_remove,
    shot_add,
    shot_move,
    shot_remove,
    shot_update,
)
from creators.views.access import creator_required
from marketplace.http import AuthenticatedRequest, get_in_scope_or_404, safe_next_url

PROJECTS_PER_PAGE = 25


# --- Projects -------------------------------------------------------------------


def _project_for(request: AuthenticatedRequest, pk: int) -> Project:
    return get_in_scope_or_404(request, projects_for_user(request.user), pk=pk)


def _channel_labels(project: Project) -> list[str]:
    labels = dict(DistributionChannel.choices)
    return [str(labels[key]) for key in project.distribution_channels if key in labels]


@require_safe
@login_required
@creator_required
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(projects_with_shot_counts(request.user), PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "creators/project_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
@creator_required
def project_new(request: AuthenticatedRequest) -> HttpResponse:
    form = ProjectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(creator=creator_profile_of(request.user), **form.cleaned_data)
        except InvalidDates as exc:
            form.add_error("end_date", exc.message)
        else:
            messages.success(request, _("Project created. Now add its shots."))
            return redirect("creators:project_detail", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "creators/project_form.html", {"form": form, "project": None}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@creator_required
def project_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    title = project.title
    form = ProjectForm(request.POST if request.method == "POST" else None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            project_update(project=project, **form.cleaned_data)
        except InvalidDates as exc:
            form.add_error("end_date", exc.message)
        else:
            messages.success(request, _("Project saved."))
            return redirect("creators:project_detail", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "project": project, "saved_title": title}
    return render(request, "creators/project_form.html", context, status=status)


def _with_labels(shots) -> list[Shot]:
    labels = dict(LikenessUsage.choices)
    shots = list(shots)
    for shot in shots:
        shot.likeness_labels = [labels[key] for key in shot.likeness_usage if key in labels]
    return shots


def _add_form(project: Project, shots: list[Shot], data=None) -> ShotForm:
    next_number = max((shot.number for shot in shots), default=0) + 1
    return ShotForm(
        data,
        project=project,
        instance=Shot(project=project),
        initial={"number": next_number},
        auto_id="new-shot-%s",
    )


def _edit_form(project: Project, shot: Shot, data=None) -> ShotForm:
    return ShotForm(data, project=project, instance=shot, auto_id=f"shot-{shot.pk}-%s")


def _shots_context(project: Project, *, notice: str = "", notice_level: str = "success") -> dict:
    shots = _with_labels(shots_for_project(project))
    return {
        "project": project,
        "shots": shots,
        "total_seconds": sum(shot.duration_seconds for shot in shots),
        "add_form": _add_form(project, shots),
        "notice": notice,
        "notice_level": notice_level,
    }


@require_safe
@login_required
@creator_required
def project_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    context = _shots_context(project)
    context["channel_labels"] = _channel_labels(project)
    context["shortlist"] = list(shortlist_for_project(project))
    return render(request, "creators/project_detail.html", context)


# --- Shots ----------------------------------------------------------------------


def _shot_for(request: AuthenticatedRequest, project: Project, shot_pk: int) -> Shot:
    return get_in_scope_or_404(request, shots_for_project(project), pk=shot_pk)


def _back_to_shots(project: Project, shot: Shot | None = None) -> HttpResponse:
    anchor = f"shot-{shot.pk}" if shot else "shots"
    return redirect(f"{reverse('creators:project_detail', kwargs={'pk': project.pk})}#{anchor}")


def _shots_fragment(request: AuthenticatedRequest, project: Project, **notice) -> HttpResponse:
    return render(request, "creators/_shots.html", _shots_context(project, **notice))


def _invalid_fragment(request: AuthenticatedRequest, template: str, context: dict, target: str) -> HttpResponse:
    # htmx 2 does not swap 4xx answers, so an htmx form with errors comes back
    # as 200 and says where it goes.
    response = render(request, template, context)
    response["HX-Retarget"] = target
    response["HX-Reswap"] = "outerHTML"
    return response


@require_http_methods(["GET", "POST"])
@login_required
@creator_required
def shot_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    data = request.POST if request.method == "POST" else None
    form = _add_form(project, list(shots_for_project(project).only("number")), data)
    if request.method == "POST" and form.is_valid():
        try:
            shot = shot_add(project=project, **form.cleaned_data)
        except ShotNumberTaken as exc:
            form.add_error("number", exc.message)
        else:
            notice = _("Shot %(number)s added.") % {"number": shot.number}
            if request.htmx:
                return _shots_fragment(request, project, notice=notice)
            messages.success(request, notice)
            return _back_to_shots(project, shot)
    context = {"project": project, "form": form, "shot": None}
    if request.method == "POST" and request.htmx:
        return _invalid_fragment(request, "creators/_shot_add_form.html", context, "#shot-add")
    return render(request, "creators/shot_form.html", context, status=400 if data is not None else 200)


@require_safe
@login_required
@creator_required
def shot_row(request: AuthenticatedRequest, pk: int, shot_pk: int) -> HttpResponse:
    """One row of the shot list (what "Cancel" puts back in place of the edit form)."""
    project = _project_for(request, pk)
    shot = _shot_for(request, project, shot_pk)
    if not request.htmx:
        return _back_to_shots(project, shot)
    return render(request, "creators/_shot_row.html", {"project": project, "shot": _with_labels([shot])[0]})


@require_http_methods(["GET", "POST"])
@login_required
@creator_required
def shot_edit(request: AuthenticatedRequest, pk: int, shot_pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    shot = _shot_for(request, project, shot_pk)
    saved_number = shot.number
    data = request.POST if request.method == "POST" else None
    form = _edit_form(project, shot, data)
    if request.method == "POST" and form.is_valid():
        try:
            shot = shot_update(shot=shot, **form.cleaned_data)
        except ShotNumberTaken as exc:
            form.add_error("number", exc.message)
        else:
            if request.htmx:
                context = {"project": project, "shot": _with_labels([shot])[0], "just_saved": True}
                return render(request, "creators/_shot_row.html", context)
            messages.success(request, _("Shot %(number)s saved.") % {"number": shot.number})
            return _back_to_shots(project, shot)
    context = {"project": project, "form": form, "shot": shot, "saved_number": saved_number}
    if request.htmx:
        if data is None:
            return render(request, "creators/_shot_edit_row.html", context)
        return _invalid_fragment(request, "creators/_shot_edit_row.html", context, f"#shot-{shot.pk}")
    return render(request, "creators/shot_form.html", context, status=400 if data is not None else 200)


@require_http_methods(["GET", "POST"])
@login_required
@creator_required
def shot_delete(request: AuthenticatedRequest, pk: int, shot_pk: int) -> HttpResponse:
    """GET asks for confirmation (without JavaScript); POST removes the shot."""
    project = _project_for(request, pk)
    shot = _shot_for(request, project, shot_pk)
    if request.method == "GET":
        return render(request, "creators/shot_confirm_delete.html", {"project": project, "shot": shot})
    number = shot.number
    try:
        shot_remove(shot=shot)
    except ShotInUse as exc:
        if request.htmx:
            return _shots_fragment(request, project, notice=exc.message, notice_level="danger")
        messages.error(request, exc.message)
        return _back_to_shots(project, shot)
    notice = _("Shot %(number)s removed.") % {"number": number}
    if request.htmx:
        return _shots_fragment(request, project, notice=notice)
    messages.success(request, notice)
    return _back_to_shots(project)


@require_POST
@login_required
@creator_required
def shot_move_view(request: AuthenticatedRequest, pk: int, shot_pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    shot = _shot_for(request, project, shot_pk)
    form = ShotMoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose to move the shot up or down."))
    shot_move(shot=shot, direction=form.cleaned_data["direction"])
    if request.htmx:
        return _shots_fragment(request, project)
    return _back_to_shots(project, shot)


# --- Shortlists -----------------------------------------------------------------


def _shortlist_answer(request: AuthenticatedRequest, project: Project, actor: ActorProfile, *, shortlisted: bool):
    if request.htmx:
        context = {"project": project, "actor": actor, "shortlisted": shortlisted}
        return render(request, "creators/_shortlist_toggle.html", context)
    fallback = reverse("creators:project_detail", kwargs={"pk": project.pk})
    return redirect(safe_next_url(request, request.POST.get("next", ""), fallback))


@require_POST
@login_required
@creator_required
def shortlist_add_view(request: AuthenticatedRequest, pk: int, slug: str) -> HttpResponse:
    project = _project_for(request, pk)
    actor = ActorProfile.objects.filter(slug=slug).first()
    if actor is None:
        raise Http404
    try:
        shortlist_add(project=project, actor=actor)
    except ActorNotListed:
        # Off the roster means invisible: the same answer as an unknown slug.
        raise Http404 from None
    if not request.htmx:
        names = {"name": actor.stage_name, "title": project.title}
        messages.success(request, _("%(name)s is on the shortlist of %(title)s.") % names)
    return _shortlist_answer(request, project, actor, shortlisted=True)


@require_POST
@login_required
@creator_required
def shortlist_remove_view(request: AuthenticatedRequest, pk: int, slug: str) -> HttpResponse:
    project = _project_for(request, pk)
    actor = shortlist_removable_actors(project).filter(slug=slug).first()
    if actor is None:
        raise Http404
    shortlist_remove(project=project, actor=actor)
    if not request.htmx:
        messages.success(
            request,
            _("%(name)s is no longer on the shortlist of %(title)s.")
            % {"name": actor.stage_name, "title": project.title},
        )
    return _shortlist_answer(request, project, actor, shortlisted=False)
