"""The party organisations routes in the access matrix: the objects they point at (`build`), the kinds that
name them (`KINDS`: kind → (world, side) → value), and their rows (see tests/matrix/spec.py)."""


def build(a, b, party, city) -> None:
    """Add this part's objects to `a` and `b`, street A's and street B's sides of the world, from
    `party` (gongzhi.party.tests.factories.build_party) and the fixture `city`."""


KINDS: dict = {}
API_ENTRIES: list = []
PAGE_ENTRIES: list = []
