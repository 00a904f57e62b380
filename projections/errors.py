"""The read side's exceptions. Only ``api/`` knows which HTTP status each one means."""

from __future__ import annotations


class ProjectionError(Exception):
    """Base of every error the projections raise on purpose."""


class UnknownEventType(ProjectionError):
    """The log holds an event type no projection knows how to apply."""


class OutOfOrder(ProjectionError):
    """Records were handed to the engine out of position order."""


class UnknownAccount(ProjectionError):
    """No account with this id is known at the requested point in time."""


class UnknownStakeholder(ProjectionError):
    """No stakeholder with this id is known at the requested point in time."""


class UnknownOpportunity(ProjectionError):
    """No opportunity with this id is known at the requested point in time."""


class InvalidQuery(ProjectionError):
    """A query argument is out of range (naive datetime, unknown grouping, …)."""


class InvalidMoment(InvalidQuery):
    """A time parameter of a read is not a date-time or date, or lies outside 1900–9999.

    ``errors`` points at the parameter (``[{"loc": ["query", name], "msg": …}]``)."""

    def __init__(self, detail: str, *, name: str, msg: str) -> None:
        super().__init__(detail)
        self.errors = [{"loc": ["query", name], "msg": msg}]


class ViewsUnavailable(ProjectionError):
    """The views cannot follow the log now (their disk is full, the event store is
    unreachable): reads must wait or be retried."""
