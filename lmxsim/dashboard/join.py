"""How a room joins the dashboard: this computer's network addresses, the join URL, its QR code.

``lmxsim dashboard --host 0.0.0.0`` listens on every network; the address a room needs is not
127.0.0.1 but this computer's address on the room's network. It is found without sending
anything: connecting a UDP socket only asks the operating system which interface a packet
*would* leave by (the outgoing interface), and every other non-loopback IPv4 address of the host
is listed after it (per interface on Linux, and whatever the host name resolves to).

For the page: :func:`current_join_url` is the URL the server printed for the room (``None`` when
the dashboard listens on this computer only), and :func:`join_qr_svg` draws any URL as an
SVG QR code (segno: pure Python, no dependencies, deterministic).
"""

from __future__ import annotations

import io
import ipaddress
import os
import socket
import struct
import sys

# the environment carries the join URL from the command line to the page (the Solara app runs
# in the same process; a variable also reaches any worker process it might start)
JOIN_URL_ENV = "LMXSIM_DASHBOARD_JOIN_URL"

LOCAL_HOSTS = ("localhost", "::1")
ALL_HOSTS = ("0.0.0.0", "", "::")

# Route look-ups only: a UDP connect() sends no packet. First any non-local address (the
# default route: the interface a room reaches this computer by), then one in each private
# range, for a room network without a default route (a workshop switch with no internet).
_ROUTE_PROBES = ("198.51.100.1", "10.254.254.254", "172.31.255.254", "192.168.255.254")


def _usable(address: str) -> bool:
    """An IPv4 address another computer could use to reach this one."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip == ipaddress.IPv4Address("255.255.255.255"))


def _outgoing_addresses() -> list[str]:
    found = []
    for probe in _ROUTE_PROBES:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
                found.append(s.getsockname()[0])
            except OSError:   # no route to that range
                continue
    return found


def _interface_addresses() -> dict[str, str]:
    """{address: interface name} for every interface with an IPv4 address (Linux; {} elsewhere)."""
    if not sys.platform.startswith("linux"):
        return {}
    try:
        import fcntl

        names = [name for _, name in socket.if_nameindex()]
    except (ImportError, OSError):
        return {}
    siocgifaddr = 0x8915
    found = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for name in names:
            try:
                request = struct.pack("256s", name.encode()[:15])
                answer = fcntl.ioctl(s.fileno(), siocgifaddr, request)
            except OSError:   # an interface without an IPv4 address
                continue
            found.setdefault(socket.inet_ntoa(answer[20:24]), name)
    return found


def _host_name_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return []
    return [info[4][0] for info in infos]


def lan_addresses() -> list[tuple[str, str]]:
    """This computer's IPv4 addresses that others on a network could reach, as (address, interface).

    The outgoing interface's address comes first; the interface name is "" where unknown.
    Loopback addresses are never listed. An empty list means no network is connected."""
    interfaces = _interface_addresses()
    ordered = _outgoing_addresses() + list(interfaces) + _host_name_addresses()
    seen: dict[str, str] = {}
    for address in ordered:
        if _usable(address) and address not in seen:
            seen[address] = interfaces.get(address, "")
    return list(seen.items())


def local_url(host: str, port: int) -> str:
    """The URL for a browser on this computer."""
    shown = "127.0.0.1" if host in ALL_HOSTS else host
    return f"http://{shown}:{port}"


def _is_local_only(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def join_urls(host: str, port: int) -> list[tuple[str, str]]:
    """The URLs other computers can open, as (url, interface); [] when listening on this computer only."""
    if _is_local_only(host):
        return []
    if host in ALL_HOSTS:
        return [(f"http://{address}:{port}", name) for address, name in lan_addresses()]
    return [(f"http://{host}:{port}", "")]


def current_join_url() -> str | None:
    """The URL the room was told to open (what ``lmxsim dashboard`` printed), or None.

    None when the dashboard listens on this computer only, when no network address was found, or
    when the app runs outside ``lmxsim dashboard``: the page should then show no join code."""
    return os.environ.get(JOIN_URL_ENV) or None


def set_current_join_url(url: str | None) -> None:
    if url:
        os.environ[JOIN_URL_ENV] = url
    else:
        os.environ.pop(JOIN_URL_ENV, None)


def join_qr_svg(url: str, scale: int = 6) -> str:
    """``url`` as a QR code: SVG text, black on white with the standard 4-module quiet zone.

    Deterministic (the same URL gives the same text). The ``<svg>`` has a viewBox, so CSS can
    resize it; ``width``/``height`` are ``scale`` pixels per module (6: about 200 px for a LAN
    URL, readable by a phone across a room from a projector). The URL is also the SVG's title
    (a tooltip, and what a screen reader says). Error correction M (15% of the code may be lost)."""
    import segno

    if not isinstance(url, str) or not url:
        raise ValueError(f"join_qr_svg: url must be a non-empty string, got {url!r}")
    code = segno.make(url, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=4,
              dark="#000", light="#fff", title=url, svgclass="lmx-join-qr", lineclass=None)
    size = code.symbol_size(scale=scale, border=4)[0]
    svg = out.getvalue().decode("utf-8")
    return svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
