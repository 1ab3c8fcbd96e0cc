"""Who is asking: a client's address and session as the throttles and the fair turn order count
them, and the token buckets that limit how fast one of them may ask.

The address is the connection's own, or the one a configured proxy forwarded
(`EASEL_TRUSTED_PROXIES`); a header from anyone else is ignored, so it cannot be forged. It is
never the only key: sessions and the operator account are counted too.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass


def client_key(request) -> str:
    """The caller's address as the throttles count it (an IPv6 client by its /64 network, which
    one person usually has whole)."""
    host = getattr(getattr(request, "client", None), "host", None) or "unknown"
    return address_key(host)


def address_key(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"client:{host}"
    if address.version == 6:
        if address.ipv4_mapped:
            return f"client:{address.ipv4_mapped}"
        return f"client:{ipaddress.ip_network(f'{host}/64', strict=False)}"
    return f"client:{address}"


def session_key(request, session=None) -> str:
    """The browser tab or gradio_client session (Gradio's session hash), else the chat session."""
    key = getattr(request, "session_hash", None) or getattr(session, "session_id", None) or "none"
    return f"session:{key}"


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`rate` events a second per key on average, with bursts of up to `burst`. Keys idle long
    enough to be full again are forgotten, so a flood of new keys cannot grow memory for long."""

    def __init__(self, rate: float, burst: float, clock=time.monotonic, max_keys: int = 100_000):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, amount: float = 1.0) -> float:
        """Take `amount` from the key's bucket: 0 when allowed, else the seconds until it would be."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= amount:
                bucket.tokens -= amount
                return 0.0
            return (amount - bucket.tokens) / self.rate if self.rate > 0 else float("inf")

    def _forget_full(self, now: float) -> None:
        refill = self.burst / self.rate if self.rate > 0 else float("inf")
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < refill}
        if len(self._buckets) >= self.max_keys:  # all busy: keep the most recent half
            recent = sorted(self._buckets.items(), key=lambda item: item[1].updated)[len(self._buckets) // 2 :]
            self._buckets = dict(recent)
