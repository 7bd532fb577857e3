"""A person at a browser (or a tool with a token), over real HTTP.

A cookie session; a form is submitted the way a browser does it (GET the
page, POST with its CSRF token); redirects are not followed, so the suite
sees the very answer to each request. Every request is kept in ``answers``,
and a request the server never answered is recorded with status 0 instead
of raising, so a step can go on and count.
"""

import time
from dataclasses import dataclass

import requests

TIMEOUT = 60
NO_ANSWER = 0


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    location: str = ""
    text: str = ""
    started: float = 0.0  # time.monotonic() when the request was sent
    finished: float = 0.0

    @property
    def failed(self) -> bool:
        """A server error, or no answer at all."""
        return self.status >= 500 or self.status == NO_ANSWER

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status or 'no answer'}"


class Browser:
    def __init__(self, base_url: str, *, token: str = ""):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Token {token}"
        self.answers: list[Answer] = []

    def _send(self, method: str, path: str, **kwargs) -> Answer:
        started = time.monotonic()
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException:
            answer = Answer(method, path, NO_ANSWER, started=started, finished=time.monotonic())
        else:
            answer = Answer(
                method,
                path,
                response.status_code,
                location=response.headers.get("Location", ""),
                text=response.text,
                started=started,
                finished=time.monotonic(),
            )
        self.answers.append(answer)
        return answer

    def get(self, path: str) -> Answer:
        return self._send("GET", path)

    def submit(self, path: str, data: dict[str, str], *, form_page: str = "", files: dict | None = None) -> Answer:
        """Submit the form of ``form_page`` (default: ``path``) to ``path``."""
        page = form_page or path
        self.get(page)
        token = self.session.cookies.get("csrftoken") or ""
        return self._send(
            "POST",
            path,
            data={"csrfmiddlewaretoken": token, **data},
            files=files,
            headers={"Referer": self.base_url + page},
        )

    def sign_in(self, email: str, password: str) -> Answer:
        return self.submit("/accounts/login/", {"login": email, "password": password})


def signed_in(answer: Answer) -> bool:
    """The sign-in form sent the user on, not back to itself."""
    return answer.status == 302 and "/accounts/login" not in answer.location
