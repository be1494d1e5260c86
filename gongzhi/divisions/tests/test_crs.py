"""GCJ-02 ⇄ WGS-84: what a phone map reports against where our boundaries are."""

import numpy as np
import pytest

from gongzhi.divisions.geo.crs import gcj02_to_wgs84, is_shifted, wgs84_to_gcj02
from gongzhi.divisions.geo.measure import EARTH_RADIUS_M

DEGREE_M = EARTH_RADIUS_M * np.pi / 180


def test_forward_transform_matches_the_published_reference_point():
    # Tiananmen, as the widely used coordtransform library documents it.
    expected = (116.41024449916938, 39.91640428150164)
    assert wgs84_to_gcj02(116.404, 39.915) == pytest.approx(expected, abs=1e-12)


def test_the_shift_in_xiaogan_is_hundreds_of_metres():
    lng, lat = wgs84_to_gcj02(113.91, 30.92)
    east_m = (lng - 113.91) * DEGREE_M * np.cos(np.radians(30.92))
    north_m = (lat - 30.92) * DEGREE_M
    assert 100 < np.hypot(east_m, north_m) < 1000


def test_inverse_recovers_the_wgs84_point_to_a_centimetre_across_china():
    rng = np.random.default_rng(1)
    lng, lat = rng.uniform(74, 135, 20_000), rng.uniform(18.2, 53.5, 20_000)
    back_lng, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))
    assert np.abs(back_lng - lng).max() < 1e-7
    assert np.abs(back_lat - lat).max() < 1e-7


def test_inverse_is_exact_for_a_single_point_too():
    gcj = (114.30, 30.60)
    assert wgs84_to_gcj02(*gcj02_to_wgs84(*gcj)) == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize("point", [(139.69, 35.69), (-0.13, 51.51), (151.21, -33.87)])
def test_points_outside_china_are_not_shifted(point):
    assert not is_shifted(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_scalars_give_floats_and_arrays_give_arrays():
    lng, lat = wgs84_to_gcj02(113.9, 30.9)
    assert type(lng) is float
    assert type(lat) is float
    lngs, lats = gcj02_to_wgs84(np.array([113.9, 139.69]), np.array([30.9, 35.69]))
    assert lngs.shape == (2,)
    assert lats.shape == (2,)
    assert (lngs[1], lats[1]) == (139.69, 35.69)  # the batch leaves the point outside China alone
