"""The write side's exceptions. Only ``api/`` knows which HTTP status each one means."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""

    def __init__(self, detail: str, *, loc: list[Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: list[dict[str, Any]] = [{"loc": loc or [], "msg": detail}]
        self.index: int | None = None

    def at_index(self, index: int) -> LedgerError:
        """Mark the error as raised by the event at ``index`` of a batch."""
        self.index = index
        self.errors = [{**error, "loc": ["events", index, *error["loc"]]} for error in self.errors]
        if not self.detail.startswith("event "):
            self.detail = f"event {index}: {self.detail}"
        return self


class InvalidEvent(LedgerError):
    """The event breaks a field rule or a rule that needs the ledger's state (nothing recorded)."""

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **kw: Any) -> None:
        super().__init__(detail, **kw)
        if errors is not None:
            self.errors = errors


class UnknownEntity(InvalidEvent):
    """The event names an account, stakeholder, opportunity or engagement the ledger lacks."""


class DepartedStakeholder(InvalidEvent):
    """The event names a stakeholder who had left (or was forgotten) by its occurred_at."""


class Conflict(LedgerError):
    """The event contradicts what is recorded: duplicate id, double void, base currency change."""


class AlreadyRegistered(Conflict):
    """An id that is registered already was registered again."""


class AlreadyVoided(Conflict):
    """The engagement was voided before."""


class BaseCurrencyLocked(Conflict):
    """The policy's base currency cannot change once set."""


class IdempotencyConflict(Conflict):
    """The same event_id was submitted before with different content."""


class NotAllowed(LedgerError):
    """The principal's role may not record this event type."""


class BatchTooLarge(LedgerError):
    """A batch holds more events than the ledger accepts in one transaction."""


class StorageConfigError(LedgerError):
    """The event store setting is malformed or the database cannot be reached."""


class StorageFault(LedgerError):
    """The event store failed while it was being used (nothing was half-recorded)."""


class StoreUnavailable(StorageFault):
    """The event store cannot be reached, or its connection dropped and a retry on a fresh
    one failed too: retry shortly."""


class StoreFull(StorageFault):
    """The event store's disk is full: nothing more can be recorded until space returns."""
