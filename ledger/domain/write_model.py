"""The write model: the aggregates the rules need, cached and kept current from the log.

Before each write the model catches up with events other writers recorded; a stale
entry can still slip through between that and the insert, and then the store's unique
(stream, version) key fails the insert and the application re-checks (optimistic
concurrency), so the cache is a speed-up, never the source of truth.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.persistence import Mapper
from eventsourcing.utils import resolve_topic

from ledger.aggregates import LedgerAggregate

PAGE = 1000
K = TypeVar("K")
L = TypeVar("L", bound=LedgerAggregate)
E = TypeVar("E", bound=LedgerAggregate.Event)


def fold(event: LedgerAggregate.Event, aggregate: LedgerAggregate | None) -> LedgerAggregate:
    """The aggregate after ``event``: what ``event.mutate(aggregate)`` gives, with a stream's
    first event building its aggregate directly.

    The library's creation matches the event's fields against the aggregate class's
    ``__init__`` signature, twice, for every new stream (about a tenth of recording a
    batch). A ledger aggregate's ``__init__`` takes none of the event's fields (only its
    state defaults, e.g. ``voided``) nor the id, so it is called bare, as the library
    would end up calling it."""
    if aggregate is not None:
        return cast(LedgerAggregate, event.mutate(aggregate))
    created = cast(Any, event)
    cls = resolve_topic(created.originator_topic)
    new = cls.__new__(cls)
    new.__base_init__(created.originator_id, created.originator_version, created.timestamp)
    new.__init__()
    event.apply(new)
    return cast(LedgerAggregate, new)


def new_event(cls: type[E], values: dict[str, Any]) -> E:
    """The event ``cls(**values)`` makes, built without the frozen dataclass's ``__init__``,
    which sets each field through ``object.__setattr__`` (a batch makes an event for every
    one it records). ``values`` names the class's fields in their order, as the library's
    mapper writes them; else, or when the originator id is no ``UUID``, the class's own
    ``__init__`` builds it (and says what is wrong)."""
    if tuple(values) != _fields_of(cls) or not isinstance(values["originator_id"], UUID):
        return cls(**values)
    event = cls.__new__(cls)
    event.__dict__.update(values)
    return event


@functools.cache
def _fields_of(cls: type[Any]) -> tuple[str, ...]:
    """The names of an event class's fields, in their order."""
    return tuple(field.name for field in dataclasses.fields(cls))


def copied(aggregate: L) -> L:
    """A shallow copy, as ``copy.copy`` makes it (the same attribute values), without its
    ``__reduce_ex__`` round trip: a batch copies every aggregate it extends."""
    cls = type(aggregate)
    clone = cls.__new__(cls)
    clone.__dict__.update(aggregate.__dict__)
    return clone


class WriteModel:
    """An LRU cache of aggregates plus the log position it reflects.

    ``recorder`` is the application recorder (with
    :class:`~ledger.store.recorder.LedgerRecorderMixin`). The cache is keyed by each
    stream id's 128-bit integer: hashing a ``UUID`` runs Python code, hashing its ``int``
    does not, and a batch looks up and remembers thousands of streams.
    """

    def __init__(self, recorder: Any, mapper: Mapper[UUID],
                 size: int = 200_000) -> None:
        self._recorder: Any = recorder
        self._mapper = mapper
        self._size = size
        self._cache: OrderedDict[int, LedgerAggregate] = OrderedDict()
        self.position = self._recorder.max_notification_id() or 0

    def reset(self) -> None:
        """Forget everything (after losing a race): the next reads go to the store."""
        self._cache.clear()
        self.position = self._recorder.max_notification_id() or 0

    def preload(self, sids: dict[K, UUID]) -> dict[K, LedgerAggregate | None]:
        """The aggregate of each stream id in ``sids``, under the same key (None: the
        stream does not exist): cached ones (now the most recently used), the others read
        in one query and remembered."""
        found: dict[K, LedgerAggregate | None] = {}
        missing: dict[int, K] = {}
        unread: list[UUID] = []
        cache = self._cache
        for name, sid in sids.items():
            number = sid.int
            aggregate = cache.get(number)
            if aggregate is None:
                missing[number] = name
                unread.append(sid)
            else:
                cache.move_to_end(number)
                found[name] = aggregate
        if missing:
            loaded = self._load(unread)
            for number, name in missing.items():
                found[name] = loaded.get(number)
        return found

    def load(self, sids: Sequence[UUID]) -> dict[UUID, LedgerAggregate | None]:
        """The aggregates of ``sids``, read from the store in one query (None: the stream
        does not exist); found ones are also remembered in the cache."""
        loaded = self._load(sids)
        return {sid: loaded.get(sid.int) for sid in sids}

    def _load(self, sids: Sequence[UUID]) -> dict[int, LedgerAggregate]:
        """:meth:`load`, by stream number and without the streams that do not exist."""
        loaded: dict[int, LedgerAggregate] = {}
        for sid, events in self._recorder.select_streams(sids).items():
            aggregate: LedgerAggregate | None = None
            for event in events:  # in version order, as select_streams promises
                aggregate = fold(self._event(event), aggregate)
            if aggregate is not None:
                self.remember(sid, aggregate)
                loaded[sid.int] = aggregate
        return loaded

    def get(self, sid: UUID) -> LedgerAggregate | None:
        """One aggregate, from the cache or the store (None: the stream does not exist)."""
        found = self._cache.get(sid.int)
        if found is not None:
            self._cache.move_to_end(sid.int)
            return found
        aggregate: LedgerAggregate | None = None
        for stored in self._recorder.select_events(sid):
            aggregate = fold(self._event(stored), aggregate)
        if aggregate is not None:
            self.remember(sid, aggregate)
        return aggregate

    def remember(self, sid: UUID, aggregate: LedgerAggregate) -> None:
        """Cache an aggregate as the newest entry, evicting the least recently used."""
        self._cache[sid.int] = aggregate
        self._cache.move_to_end(sid.int)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)

    def advance(self, positions: Sequence[int]) -> None:
        """Our own insert landed at ``positions``; skip them if nothing came in between."""
        if positions and positions[0] == self.position + 1:
            self.position = positions[-1]

    def catch_up(self) -> None:
        """Apply events that other writers recorded since the cache last looked."""
        while True:
            page = self._recorder.select_notifications(self.position + 1, PAGE)
            for notification in page:
                number = notification.originator_id.int
                cached = self._cache.get(number)
                if cached is not None:
                    if notification.originator_version == cached.version + 1:
                        self._event(notification).mutate(cached)
                    elif notification.originator_version > cached.version:
                        del self._cache[number]
                self.position = notification.id
            if len(page) < PAGE:
                return

    def _event(self, stored: Any) -> LedgerAggregate.Event:
        return cast(LedgerAggregate.Event, self._mapper.to_domain_event(stored))
