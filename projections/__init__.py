"""Read models built from the ledger's event log (SPEC §4, §5.2, §7.1).

Engine — :mod:`projections.engine`: :class:`~projections.engine.ViewDatabase` (``process``,
``rebuild``, ``position``), :class:`~projections.engine.Follower` (``poll``, ``catch_up``,
``wait_for``, ``run``), :func:`~projections.engine.read_snapshot`.

Event → rows — :mod:`projections.directory_rows` (accounts, stakeholders, opportunities),
:mod:`projections.engagement_rows` (engagement versions, shares, voids, approvals),
:mod:`projections.reference_rows` (policies, FX rates), :mod:`projections.current`
(the "now" tables); all tables are described in :mod:`projections.tables`.

Reads — :mod:`projections.queries` (accounts, power map, stakeholder, fishbone),
:mod:`projections.history`, :mod:`projections.spend`, :mod:`projections.compliance`,
:mod:`projections.handover`; every read takes ``as_of`` / ``known_at`` (aware datetimes,
``None`` = now) and returns plain dicts. Reads at now use the current tables
(:mod:`projections.current_queries`); any other point folds the indexed history of the
one account or person asked about (:mod:`projections.people`,
:mod:`projections.engagements`, :mod:`projections.reference`, :mod:`projections.figures`).
"""
