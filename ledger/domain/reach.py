"""Need to know (SPEC §5.5): which accounts a caller may see and name.

A token of scope ``all`` reaches every account; a ``team`` token reaches the accounts whose
latest team names its employee. The reach is computed once per request from the event
store and passed explicitly to the write rules and to every read query, which then treat
an account outside it exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Scope = Literal["all", "team"]
SCOPES: tuple[str, ...] = get_args(Scope)


@dataclass(frozen=True, slots=True)
class Reach:
    """The accounts a caller reaches: every one (``accounts is None``) or those named."""

    accounts: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        """Whether the caller reaches every account (scope ``all``)."""
        return self.accounts is None

    def covers(self, account_id: str | None) -> bool:
        """Whether ``account_id`` is within reach (None, nobody's, only for scope all)."""
        return self.accounts is None or account_id in self.accounts


EVERYWHERE = Reach()
"""The reach of a scope-``all`` caller: every account."""
