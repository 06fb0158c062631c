"""Defect 5: behind trusted proxies the client is the right-most X-Forwarded-For hop that is
not a trusted proxy; a client-written (left-most) hop never counts. Before the fix, uvicorn's
proxy headers took the left-most hop (and k8s trusted every peer)."""

from __future__ import annotations

import ipaddress

import pytest

from ailp.config import parse_networks
from gateway.client_address import client_address_of

LOCAL = parse_networks("127.0.0.1/32,::1/128")
INGRESS = parse_networks("10.0.0.0/8,127.0.0.1/32")


@pytest.mark.parametrize(
    ("peer", "headers", "trusted", "client"),
    [
        # No proxy: the peer, whatever the header says.
        ("203.0.113.7", ["198.51.100.1"], LOCAL, "203.0.113.7"),
        # A trusted peer without a header: the peer itself.
        ("127.0.0.1", [], LOCAL, "127.0.0.1"),
        # One trusted proxy: the hop it appended.
        ("127.0.0.1", ["198.51.100.1"], LOCAL, "198.51.100.1"),
        # A spoofed left-most hop is ignored: the proxy's own entry is the right-most.
        ("127.0.0.1", ["1.2.3.4, 198.51.100.1"], LOCAL, "198.51.100.1"),
        ("127.0.0.1", ["1.2.3.4", "198.51.100.1"], LOCAL, "198.51.100.1"),
        # Two proxies of ours (ingress → nginx): skip both.
        ("10.1.2.3", ["6.6.6.6, 198.51.100.9, 10.4.5.6"], INGRESS, "198.51.100.9"),
        # Every hop is ours: the left-most one is as far as the chain goes.
        ("10.1.2.3", ["10.9.9.9, 10.4.5.6"], INGRESS, "10.9.9.9"),
        # Garbage where our proxy would have written an address: the last hop we vouch for.
        ("127.0.0.1", ["1.2.3.4, not-an-ip"], LOCAL, "127.0.0.1"),
        # Ports and IPv6 forms, IPv4-mapped IPv6.
        ("127.0.0.1", ["198.51.100.1:4711"], LOCAL, "198.51.100.1"),
        ("::1", ["[2001:db8::5]:443"], LOCAL, "2001:db8::5"),
        ("::ffff:127.0.0.1", ["198.51.100.2"], LOCAL, "198.51.100.2"),
        ("127.0.0.1", ["2001:db8::7"], LOCAL, "2001:db8::7"),
        # Empty hops are skipped.
        ("127.0.0.1", [" , 198.51.100.3 ,"], LOCAL, "198.51.100.3"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(
    peer: str,
    headers: list[str],
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...],
    client: str,
) -> None:
    assert client_address_of(peer, headers, trusted) == client


def test_without_a_peer_the_address_is_unknown() -> None:
    assert client_address_of(None, ["198.51.100.1"], LOCAL) == "unknown"


def test_a_client_cannot_choose_its_address_by_varying_the_left_most_hop() -> None:
    seen = {client_address_of("127.0.0.1", [f"10.0.0.{n}, 198.51.100.1"], LOCAL) for n in range(50)}
    assert seen == {"198.51.100.1"}
