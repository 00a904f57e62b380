"""The admins' upload form for expense exports, over the demo data."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.conftest import Api
from tests.api.routes.test_ui_forms import sign_in

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def upload(demo: Api, *, dry_run: bool, export: bytes | None = None,
           headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Post the example export and mapping through the form; status and page."""
    client = demo.client
    page = client.get("/ui/import-expenses").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    files = {"export": ("expenses.csv",
                        export or (EXAMPLES / "expenses.csv").read_bytes(), "text/csv"),
             "mapping": ("mapping.toml", (EXAMPLES / "expenses-mapping.toml").read_bytes(),
                         "application/toml")}
    data = {"csrf": csrf.group(1), **({"dry_run": "on"} if dry_run else {})}
    response = client.post("/ui/import-expenses", data=data, files=files, headers=headers)
    return response.status_code, response.text


def test_an_admin_checks_then_imports_an_export_once(demo: Api) -> None:
    """Dry run reports each line; the real run records; the same file again adds nothing."""
    sign_in(demo, demo.admin)
    head = demo.runtime.ledger.head_position()
    status, page = upload(demo, dry_run=True)
    assert status == 200 and 'data-report="dry-run"' in page
    assert page.count('data-outcome="would record"') == 4
    assert 'data-line="3" data-outcome="skipped"' in page
    assert demo.runtime.ledger.head_position() == head
    status, page = upload(demo, dry_run=False)
    assert status == 200 and page.count('data-outcome="recorded"') == 4
    assert demo.runtime.ledger.head_position() == head + 4
    spend = demo.get("/v1/stakeholders/nt-heike-friedrich").json()
    assert spend["last_engagement_at"].startswith("2026-11-14")
    status, page = upload(demo, dry_run=False)
    assert page.count('data-outcome="already recorded"') == 4
    assert demo.runtime.ledger.head_position() == head + 4


def test_a_refused_line_keeps_the_whole_upload_out(demo: Api) -> None:
    """A bad currency: 422, the line named, nothing recorded."""
    sign_in(demo, demo.admin)
    text = (EXAMPLES / "expenses.csv").read_text(encoding="utf-8").replace(
        "180.00,EUR", "180.00,EUX")
    head = demo.runtime.ledger.head_position()
    status, page = upload(demo, dry_run=False, export=text.encode())
    assert status == 422 and 'data-line="4" data-outcome="refused"' in page
    assert demo.runtime.ledger.head_position() == head


def test_only_admins_import_and_only_from_the_site(demo: Api) -> None:
    """A recorder gets 403 (and no link); a foreign Origin is refused."""
    client = sign_in(demo, demo.recorder)
    assert "/ui/import-expenses" not in client.get("/ui/").text
    assert client.get("/ui/import-expenses").status_code == 403
    sign_in(demo, demo.admin)
    status, _page = upload(demo, dry_run=True, headers={"Origin": "https://evil.example"})
    assert status == 403
