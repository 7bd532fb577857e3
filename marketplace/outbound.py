"""Requests the portal sends to URLs its users chose (webhooks), and only to
the public internet.

A URL is checked when it is registered and again before every request: it
must be ``https://`` (plain ``http://`` only to this machine, and only where
``allow_loopback_http`` says so, i.e. in development), carry no credentials,
and its host must resolve to public addresses only (no private, loopback,
link-local, multicast, reserved or unspecified address, IPv4-mapped ones
included). The connection then goes to the very address that was checked,
so a name that resolves differently a moment later (DNS rebinding) cannot
redirect it; the Host header and TLS server name stay the host name, and
the certificate is verified against it. Redirects are never followed.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError

URL_MAX_LENGTH = 500
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeDestination(DomainError):
    """The URL is not one the portal sends requests to; the message says why."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line


@dataclass(frozen=True)
class OutboundResult:
    """What became of one request: the receiver's status code and the start
    of its answer, or why there was no answer (``error``)."""

    status_code: int | None = None
    body_excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def parse_destination(url: str, *, allow_loopback_http: bool) -> Destination:
    """The parts of ``url`` a request goes to, without looking up any name.

    Raises ``UnsafeDestination`` for anything but an ``https://`` URL
    without credentials (``http://`` to 127.0.0.1, ::1 or localhost when
    ``allow_loopback_http``).
    """
    if not url or len(url) > URL_MAX_LENGTH:
        raise UnsafeDestination(_("Enter a URL of at most %(max)s characters.") % {"max": URL_MAX_LENGTH}, field="url")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url) or "#" in url:
        raise UnsafeDestination(_("The URL may not contain spaces, control characters or a #fragment."), field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeDestination(_("This is not a valid URL. Write it as https://host/path."), field="url") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeDestination(_("The URL may not contain a user name or password."), field="url")
    if not host:
        raise UnsafeDestination(_("The URL needs a host name."), field="url")
    loopback_ok = allow_loopback_http and host in LOOPBACK_NAMES
    if scheme != "https" and not (scheme == "http" and loopback_ok):
        raise UnsafeDestination(_("The URL must start with https://."), field="url")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), target=target)


def address_allowed(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    """Whether requests may go to ``address``: a public unicast address, or
    a loopback one when ``allow_loopback``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if allow_loopback and address.is_loopback:
        return True
    refused = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    return address.is_global and not refused


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to now (tests replace this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def checked_address(destination: Destination, *, allow_loopback_http: bool) -> str:
    """The address to connect to: the host's first address, once every
    address it resolves to is allowed. Raises ``UnsafeDestination``."""
    allow_loopback = allow_loopback_http and destination.host in LOOPBACK_NAMES
    try:
        addresses = [str(ipaddress.ip_address(destination.host))]
    except ValueError:
        try:
            addresses = resolve(destination.host, destination.port)
        except (OSError, UnicodeError):
            addresses = []
        if not addresses:
            raise UnsafeDestination(
                _(
                    "The host name %(host)s does not resolve. Check its spelling, or register the URL once "
                    "its DNS record exists."
                )
                % {"host": destination.host},
                field="url",
            ) from None
    for address in addresses:
        if not address_allowed(ipaddress.ip_address(address.split("%")[0]), allow_loopback=allow_loopback):
            raise UnsafeDestination(
                _("%(host)s points to %(address)s, a private or reserved address; webhooks go to public addresses.")
                % {"host": destination.host, "address": address},
                field="url",
            )
    return addresses[0].split("%")[0]


def check_url(url: str, *, allow_loopback_http: bool) -> Destination:
    """``parse_destination`` and ``checked_address`` together, as registration
    needs. Raises ``UnsafeDestination``."""
    destination = parse_destination(url, allow_loopback_http=allow_loopback_http)
    checked_address(destination, allow_loopback_http=allow_loopback_http)
    return destination


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked ``address``; the Host header says ``host``."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked ``address``; SNI, the certificate check and
    the Host header use ``host``."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.pinned_context = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.pinned_context)
        self.pinned_address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.pinned_context.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_loopback_http: bool, excerpt: int
) -> OutboundResult:
    """POST ``body`` to ``url`` after checking it again; never raises for
    what the network or the receiver did (the result says), and never
    follows a redirect. Keeps the first ``excerpt`` characters of the answer."""
    try:
        destination = parse_destination(url, allow_loopback_http=allow_loopback_http)
        address = checked_address(destination, allow_loopback_http=allow_loopback_http)
    except UnsafeDestination as exc:
        return OutboundResult(error=_("Refused: %(reason)s") % {"reason": exc.message})
    connection_class = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(destination.host, destination.port, address=address, timeout=timeout)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(excerpt * 4).decode("utf-8", errors="replace")[:excerpt]
        return OutboundResult(status_code=response.status, body_excerpt=answer)
    except TimeoutError:
        return OutboundResult(error=_("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout:g}"})
    except (OSError, http.client.HTTPException) as exc:
        return OutboundResult(error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        connection.close()


def parse_host(url: str) -> str:
    """The host name of ``url`` for display, or the URL itself when it has none."""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url
