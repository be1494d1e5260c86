"""A per-key rate limit for partners: at most N requests a minute for each API key, whatever the
endpoint (a request that carries a live key counts against it; requests without a key are the
public reads the spec allows anyone). N is the key's own limit when an administrator set one
(`Open311Client.rate_limit_per_minute`; 0: no limit), else `GONGZHI_OPEN311_RATE_PER_MINUTE`
(default 60).

Counting is a fixed one-minute window in the cache Django is configured with: Redis when
REDIS_URL is set, so every process shares the count; the per-process memory cache otherwise (each
server process then counts alone). An answer over the limit is GeoReport's error body with HTTP
429 and a Retry-After header."""

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_S = 60


def limit_for(client) -> int:
    if client.rate_limit_per_minute is not None:
        return client.rate_limit_per_minute
    return settings.GONGZHI_OPEN311_RATE_PER_MINUTE


def hit(client) -> int | None:
    """Count one request of `client`; the seconds to wait when it is over its limit, else None."""
    limit = limit_for(client)
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // WINDOW_S)
    key = f"open311:rate:{client.pk}:{window}"
    cache.add(key, 0, timeout=WINDOW_S * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=WINDOW_S * 2)
        count = 1
    if count <= limit:
        return None
    return max(1, int((window + 1) * WINDOW_S - now + 0.999))
