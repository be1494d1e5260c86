"""p95 latency of the scoped resident search, as a street officer, through the whole Django stack.

    .venv/bin/python bench/registry_search.py --size small|city [--requests 300] [--database-url URL]

Prints `search_p95_ms N` (goal at city size, a million residents: under 100). Each request goes
through the middleware, bearer-token authentication, the scope filter and JSON rendering, with
Django's test Client. The queries mix what people type into the search box: a family name, a full
name, pinyin initials, the last four characters of an ID number, a mobile number and a whole ID
number. Data lives in var/bench-<size>-registry/ (built once: the demo city and its population).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PERSONA = "street_officer_a"


def queries(user, n: int, rng: random.Random) -> list[str]:
    """Search texts drawn from the residents the officer may see."""
    from gongzhi.core import crypto

    sample = _sample(user, rng)
    texts = []
    for i in range(n):
        name, letters, sealed_id, sealed_phone = sample[i % len(sample)]
        kind = i % 6
        if kind == 0:
            texts.append(name[0])
        elif kind == 1:
            texts.append(name)
        elif kind == 2:
            texts.append(letters[:3])
        elif kind == 3:
            texts.append(crypto.unseal(sealed_id)[-4:])
        elif kind == 4:
            texts.append(crypto.unseal(sealed_phone) or name)
        else:
            texts.append(crypto.unseal(sealed_id))
    rng.shuffle(texts)
    return texts


def _sample(user, rng: random.Random) -> list[tuple]:
    """200 residents the officer may see, at random."""
    from gongzhi.registry import selectors
    from gongzhi.registry.models import Resident

    ids = list(selectors.residents_for(user).values_list("id", flat=True)[:20000])
    chosen = rng.sample(ids, min(200, len(ids)))
    return list(Resident.objects.filter(pk__in=chosen).values_list("name", "name_initials", "id_number_sealed",
                                                                   "phone_sealed"))


def measure(requests: int) -> list[float]:
    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.accounts.services import issue_token

    user = User.objects.get(username=PERSONA)
    _, raw = issue_token(actor=user, name="bench")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    texts = queries(user, requests, random.Random(7))
    for text in texts[:20]:  # warm caches and connections
        client.get("/api/v1/registry/residents/search", {"q": text})
    timings = []
    for text in texts:
        started = time.perf_counter()
        response = client.get("/api/v1/registry/residents/search", {"q": text})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("small", "city"), default="small")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from gongzhi.registry.bench_support import percentile, set_up

    set_up(args.size, args.database_url)
    from gongzhi.registry.models import Resident

    timings = measure(args.requests)
    print(f"residents {Resident.objects.count()}")
    print(f"search_median_ms {statistics.median(timings):.1f}")
    print(f"search_p95_ms {percentile(timings, 0.95):.1f}")


if __name__ == "__main__":
    main()
