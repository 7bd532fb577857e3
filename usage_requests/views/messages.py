"""The message thread of a request: what the request page polls (htmx), and
sending a message from the htmx form or the plain one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from marketplace.exceptions import DomainError
from marketplace.http import AuthenticatedRequest
from usage_requests.forms import MessageForm
from usage_requests.models import UsageRequest
from usage_requests.services import message_send, thread_mark_read
from usage_requests.views.requests import back_to_request, request_for_user, request_page, thread_context


def _messages_section(
    request: AuthenticatedRequest, req: UsageRequest, *, form: MessageForm | None = None, notice: str = ""
) -> HttpResponse:
    context = {**thread_context(req, req.party_of(request.user)), "message_form": form or MessageForm()}
    context["notice"] = notice
    return render(request, "usage_requests/_thread_section.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def request_messages(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the thread (what the page polls), marking it read. POST: send a
    message; htmx gets the section back with an empty form, a plain form a
    redirect."""
    req = request_for_user(request, pk)
    if request.method == "GET":
        if not request.htmx:
            return back_to_request(req, "messages")
        context = thread_context(req, req.party_of(request.user))
        thread_mark_read(request=req, user=request.user)
        return render(request, "usage_requests/_thread.html", context)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_send(request=req, user=request.user, body=form.cleaned_data["body"])
        except DomainError as exc:
            form.add_error("body", exc.message)
        else:
            if request.htmx:
                return _messages_section(request, req)
            messages.success(request, _("Message sent."))
            return back_to_request(req, "messages")
    if request.htmx:
        # htmx does not swap a 4xx answer: the section comes back with the error.
        return _messages_section(request, req, form=form)
    return request_page(request, req, status=400, message_form=form)
