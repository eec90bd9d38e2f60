"""The JSON API (django-ninja, OpenAPI 3 at /api/docs).

Each domain app keeps its endpoints in its own ``<app>/api.py`` as a ninja
``Router``; :mod:`academichub.api.site` mounts them all on one ``NinjaAPI`` and
is the single place where exceptions become the one JSON error shape
``{"error": {"code": ..., "message": ...}}``.
"""
