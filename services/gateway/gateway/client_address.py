"""The client's address behind reverse proxies, as TRUSTED_PROXIES allows.

Each proxy appends the address it received the request from to `X-Forwarded-For`, so the list
reads client, proxy 1, proxy 2 … from left to right, and anything left of what our own proxies
appended was written by the client. Walking from the right, the first hop that is not one of
our proxies is the client as far as we can vouch for it; the left-most hop is whatever the client
chose to send. Per-address limits (sign-ins, sign-ups) key on this address, so a spoofed
left-most hop cannot dodge them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN = "unknown"


def client_address_of(
    peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]
) -> str:
    """`peer` is the direct TCP peer; `forwarded_for` every X-Forwarded-For header in order."""
    peer_address = _parse(peer)
    if peer_address is None:
        return peer or UNKNOWN
    if not _is_trusted(peer_address, trusted):
        return str(peer_address)
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    client = peer_address
    for hop in reversed([hop for hop in hops if hop]):
        address = _parse(hop)
        if address is None:
            # Not an address: no proxy of ours wrote it. Attribute the request to the last
            # hop we can vouch for rather than to a string the client chose.
            break
        client = address
        if not _is_trusted(address, trusted):
            break
    return str(client)


def _is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def _parse(value: str | None) -> Address | None:
    """An IP address, also with a port (`1.2.3.4:80`, `[::1]:80`); IPv4-mapped IPv6 as IPv4."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
