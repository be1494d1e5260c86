"""GCJ-02 ⇄ WGS-84.

Maps and phones in China (AMap, Tencent, the WeChat location API) report GCJ-02, the published
obfuscated datum; our boundaries are WGS-84. The forward transform is the standard published
formula; the inverse has no closed form and is found by fixed-point iteration to well under 1e-7°
(about 1 cm). Points outside the standard's rough box around China are returned unshifted, as the
standard does. Every function takes scalars or numpy arrays (a batch is one vectorised pass).
"""

import numpy as np

A = 6378245.0  # Krasovsky 1940 semi-major axis, as the transform defines it
EE = 0.00669342162296594323  # its first eccentricity squared
# The rough box the standard shifts inside (wider than China's actual bounds, on purpose).
SHIFTED_LNG = (72.004, 137.8347)
SHIFTED_LAT = (0.8293, 55.8271)
INVERSE_TOLERANCE = 1e-9  # degrees
INVERSE_MAX_STEPS = 30


def is_shifted(lng, lat):
    """Whether GCJ-02 moves the point at all (it leaves points outside China alone)."""
    lng, lat = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    return ((SHIFTED_LNG[0] <= lng) & (lng <= SHIFTED_LNG[1])
            & (SHIFTED_LAT[0] <= lat) & (lat <= SHIFTED_LAT[1]))


def _delta_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _delta_lng(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _offset(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 shift (degrees) at a WGS-84 point, zero outside the shifted box."""
    dlat = _delta_lat(lng - 105.0, lat - 35.0)
    dlng = _delta_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * np.pi)
    dlng = (dlng * 180.0) / (A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = is_shifted(lng, lat)
    return np.where(inside, dlng, 0.0), np.where(inside, dlat, 0.0)


def _out(lng, lat, like):
    """Scalars in, floats out; arrays in, arrays out."""
    if np.ndim(like) == 0:
        return float(lng), float(lat)
    return lng, lat


def wgs84_to_gcj02(lng, lat):
    lng_a, lat_a = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    dlng, dlat = _offset(lng_a, lat_a)
    return _out(lng_a + dlng, lat_a + dlat, lng)


def gcj02_to_wgs84(lng, lat):
    """The WGS-84 point whose GCJ-02 image is (lng, lat), to within INVERSE_TOLERANCE.

    The shift varies slowly (well under 1 m of change per metre moved), so w ← g − shift(w)
    converges in a handful of steps everywhere."""
    g_lng, g_lat = np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    w_lng, w_lat = g_lng.copy(), g_lat.copy()
    for _step in range(INVERSE_MAX_STEPS):
        dlng, dlat = _offset(w_lng, w_lat)
        err_lng, err_lat = w_lng + dlng - g_lng, w_lat + dlat - g_lat
        w_lng, w_lat = w_lng - err_lng, w_lat - err_lat
        if max(np.max(np.abs(err_lng), initial=0), np.max(np.abs(err_lat), initial=0)) < INVERSE_TOLERANCE:
            break
    return _out(w_lng, w_lat, lng)
