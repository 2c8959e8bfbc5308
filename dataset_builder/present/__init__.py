"""Showing a published record with its annotations: in a terminal or as HTML pages.

Plain functions over a record (a dict): `marks` cuts it into marked segments, `terminal`
and `html` draw them, `load` reads records from a release, `site` writes pages.
"""
