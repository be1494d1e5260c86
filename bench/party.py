"""The party organisation's hot reads, at 200,000 members (city) or 20,000 (small).

    .venv/bin/python bench/party.py --size small|city [--searches 300] [--database-url URL]

Prints one `name value` line per figure:
- `member_search_p95_ms`: a street officer's member search (`search_members(user, text, limit=20)`),
  the texts mixing what people type: a family name, a name's first two characters, pinyin initials
  and a phone's last four digits, drawn from the members the officer may see (goal < 100);
- `coverage_city_seconds`: the organisation coverage check of the whole city as the city admin
  (`coverage_of(user, city)`, about 6,000 grids at city size), the median of three runs (goal < 10);
- `registration_dashboard_p95_ms`: the city's report-in rates as the city admin
  (`report_in_rates(user, city)`), 30 runs (goal < 300).

Data lives in var/bench-<size>-party/ (built once by gongzhi.party.bench_support: the demo city's
divisions and personas, then the demo's party stage sized for the bench); SQLite by default,
PostgreSQL with --database-url.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEARCHER = "street_officer_a"
ADMIN = "city_admin"


def queries(user, n: int, rng: random.Random) -> list[str]:
    """Search texts drawn from 200 members the officer may see."""
    from gongzhi.core import scope
    from gongzhi.party.models import Member
    from gongzhi.party.permissions import PartyAction

    visible = scope.restrict(Member.objects.all(), user, PartyAction.VIEW_MEMBERS)
    ids = list(visible.values_list("id", flat=True)[:20000])
    sample = list(Member.objects.filter(pk__in=rng.sample(ids, min(200, len(ids))))
                  .values_list("name", "name_initials", "phone_last4"))
    texts = []
    for i in range(n):
        name, letters, last4 = sample[i % len(sample)]
        kind = i % 4
        texts.append(name[0] if kind == 0 else name[:2] if kind == 1 else letters[:3] if kind == 2
                     else last4 or name)
    rng.shuffle(texts)
    return texts


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def member_search(searches: int) -> list[float]:
    from gongzhi.accounts.models import User
    from gongzhi.party.selectors.members import search_members

    user = User.objects.get(username=SEARCHER)
    texts = queries(user, searches, random.Random(7))
    for text in texts[:20]:  # warm caches and connections
        search_members(user, text, limit=20)
    return [timed(lambda t=text: list(search_members(user, t, limit=20))) for text in texts]


def coverage(runs: int = 3) -> list[float]:
    from gongzhi.accounts.models import User
    from gongzhi.divisions.models import Division
    from gongzhi.party.selectors.coverage import coverage_of

    user = User.objects.get(username=ADMIN)
    city = Division.objects.filter(level="city", is_active=True).defer("geometry").get()
    return [timed(lambda: coverage_of(user, city)) / 1000 for _ in range(runs)]


def dashboard(runs: int = 30) -> list[float]:
    from gongzhi.accounts.models import User
    from gongzhi.divisions.models import Division
    from gongzhi.party.selectors.registrations import report_in_rates

    user = User.objects.get(username=ADMIN)
    city = Division.objects.filter(level="city", is_active=True).defer("geometry").get()
    report_in_rates(user, city)  # warm
    return [timed(lambda: report_in_rates(user, city)) for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("small", "city"), default="small")
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from gongzhi.party.bench_support import percentile, set_up

    set_up(args.size, args.database_url)
    from gongzhi.divisions.models import Division
    from gongzhi.party.models import Member

    searches = member_search(args.searches)
    coverage_seconds = coverage()
    rates = dashboard()
    print(f"members {Member.objects.count()}")
    print(f"grids {Division.objects.filter(level='grid', is_active=True).count()}")
    print(f"member_search_median_ms {statistics.median(searches):.1f}")
    print(f"member_search_p95_ms {percentile(searches, 0.95):.1f}")
    print(f"coverage_city_seconds {statistics.median(coverage_seconds):.2f}")
    print(f"registration_dashboard_p95_ms {percentile(rates, 0.95):.1f}")


if __name__ == "__main__":
    main()
