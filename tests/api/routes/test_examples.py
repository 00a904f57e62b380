"""The documented examples work as documented: posted verbatim to the demo, in order."""

from __future__ import annotations

from api.examples import BATCH_EXAMPLE, EXAMPLES, envelope
from ledger.contract.schemas import EVENT_TYPES
from tests.api.conftest import Api


def test_every_example_posted_verbatim_in_order_to_the_demo_is_recorded(demo: Api) -> None:
    """Each per-type example of POST /v1/events, then the batch example, is a 201 against
    the data `ledger demo` loads, and the reads show what they recorded."""
    assert set(EXAMPLES) == set(EVENT_TYPES)
    for event_type in EXAMPLES:
        response = demo.post("/v1/events", envelope(event_type), demo.admin)
        assert response.status_code == 201, (event_type, response.json())
        assert response.json()["type"] == event_type
    batch = demo.post("/v1/events/batch", {"events": BATCH_EXAMPLE}, demo.admin)
    assert batch.status_code == 201, batch.json()
    assert len(batch.json()["receipts"]) == len(BATCH_EXAMPLE)

    person = demo.get("/v1/stakeholders/nt-anja-lorenz", as_of="2026-03-03").json()
    assert (person["role"], person["attitude"]) == ("approver", 2)
    gone = demo.get("/v1/stakeholders/nt-jana-vogt").json()
    assert gone["departed"] is True and gone["name"] == "[forgotten]"
    accounts = {a["account_id"]: a for a in demo.get("/v1/accounts").json()["accounts"]}
    assert accounts["baltic-fiber"]["tier"] == "strategic" and "vistula-net" in accounts
