"""SPEC §4.1: how an engagement's cost is shared among its participants (exact, in minor units)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from ledger.contract.money import from_minor, to_minor


def allocate(
    cost: Decimal,
    currency: str,
    participants: Sequence[str],
    allocation: Mapping[str, str] | None = None,
) -> dict[str, Decimal]:
    """Share ``cost`` among ``participants``, in the cost's own currency.

    The explicit ``allocation`` wins when given. Otherwise each participant gets
    ``floor(total / n)`` minor units and the remainder goes one minor unit each to
    the first participants in ascending id order. No participants: an empty dict
    (the cost stays with the account, unallocated).
    """
    if allocation is not None:
        return {sid: Decimal(allocation[sid]) for sid in participants}
    if not participants:
        return {}
    total = to_minor(cost, currency)
    each, remainder = divmod(total, len(participants))
    ordered = sorted(participants)
    return {
        sid: from_minor(each + (1 if index < remainder else 0), currency)
        for index, sid in enumerate(ordered)
    }
