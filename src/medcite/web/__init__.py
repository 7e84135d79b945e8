"""The web app and the JSON API (``/api/v1``) over one :class:`medcite.service.Medcite`."""

from medcite.web.app import create_app

__all__ = ["create_app"]
