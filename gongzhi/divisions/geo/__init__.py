"""Geometry of divisions: validation, measurement, coordinate systems and the grid index.

Geometry is GeoJSON (WGS-84) stored as data and handled with shapely 2; no GDAL needed."""
