"""One error hierarchy for the whole project.

Each error carries a ``message`` meant for a planner (shown in HTTP bodies and CLI output);
the service maps the class to a status code in one table (``service/errors.py``).
"""

from __future__ import annotations


class ParkgeoError(Exception):
    """Base of every error parkgeo raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ParkgeoError):
    """A park, section, point, collection or file that does not exist."""


class InvalidInput(ParkgeoError):
    """Input a user can fix: bad coordinates, an unknown CRS, a malformed file."""


class ImportRejected(ParkgeoError):
    """A boundary import that failed its checks; nothing was written."""


class DependencyMissing(ParkgeoError):
    """A system dependency (a CJK font, PostgreSQL binaries) is not installed."""


class DatabaseUnavailable(ParkgeoError):
    """The database cannot be reached; the request may succeed later."""


class Unauthorized(ParkgeoError):
    """A write without a valid bearer token."""
