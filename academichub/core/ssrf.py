"""Where the hub may send a request on a user's behalf (webhooks): no internal targets.

A webhook URL is chosen by a user, and the hub posts to it from inside the
deployment's network. Unchecked, ``http://127.0.0.1:6379/`` or
``http://169.254.169.254/`` (cloud metadata) would let any user reach
services that trust the hub's network position (server-side request forgery).

So a target is allowed only if *every* address its host resolves to is a
public unicast address: loopback, private (RFC 1918, ULA), link-local,
multicast, reserved, unspecified, shared (CGNAT) and documentation ranges are
refused, IPv4-mapped IPv6 is judged by its IPv4 address. An administrator may
allow networks (``WEBHOOK_ALLOWED_NETWORKS``, e.g. an intranet chat server).
Callers must check again when they send and connect to an address that
passed (:func:`check` returns them): a DNS answer can change between the two
(DNS rebinding). Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]


class Refused(ValueError):
    """The URL may not be used; the message says why, in words a user can act on."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (IDNA-encoded), without brackets
    port: int
    addresses: tuple[Address, ...]  # every resolved address; all allowed


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Parse an allow-list ("10.0.0.0/8", "127.0.0.1"); a bad entry raises ValueError naming it."""
    parsed = []
    for value in values:
        try:
            parsed.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not a network: {value!r} (use CIDR, e.g. 10.0.0.0/8)") from None
    return tuple(parsed)


def why_forbidden(address: Address) -> str | None:
    """The kind of internal address this is, or None for a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return why_forbidden(address.ipv4_mapped)
    for label, test in (("loopback", "is_loopback"), ("unspecified", "is_unspecified"),
                        ("link-local", "is_link_local"), ("multicast", "is_multicast"),
                        ("private", "is_private"), ("reserved", "is_reserved")):  # fmt: skip
        if getattr(address, test):
            return label
    return None if address.is_global else "non-public"


def allowed(address: Address, allow: tuple[Network, ...] = ()) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in net for net in allow if net.version == address.version) or why_forbidden(address) is None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def parse(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL without credentials; Refused otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("the URL is malformed") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("only http:// and https:// URLs can receive webhooks")
    if parts.username or parts.password:
        raise Refused("the URL must not contain a user name or password")
    if not parts.hostname:
        raise Refused("the URL has no host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused("the host name is not valid") from None
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def check(url: str, allow: tuple[Network, ...] = (), resolver: Resolver = system_resolver) -> Target:
    """Resolve the URL's host and accept it only if every address is allowed (see the module doc)."""
    scheme, host, port = parse(url)
    try:
        literal = ipaddress.ip_address(host)
        found = [literal]
    except ValueError:
        try:
            found = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolver(host, port)]
        except (OSError, UnicodeError):
            raise Refused(f"the host {host} could not be resolved") from None
    if not found:
        raise Refused(f"the host {host} could not be resolved")
    for address in found:
        if not allowed(address, allow):
            raise Refused(f"{host} resolves to {address}, a {why_forbidden(address)} address: "
                          "webhooks may only reach public addresses")  # fmt: skip
    return Target(scheme, host, port, tuple(found))
