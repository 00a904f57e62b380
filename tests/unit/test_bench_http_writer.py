"""The bench's HTTP batch writer: it skips what was posted singly, and a failed post
stops it with the reason instead of failing the other writers' measure."""

from __future__ import annotations

import httpx

from bench.http import HttpBatchWriter


def client(status: int, posted: list[int]) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/healthz":
            return httpx.Response(200, json={"views_position": sum(posted)})
        posted.append(len(httpx.Response(200, content=request.content).json()["events"]))
        return httpx.Response(status, json={})
    return httpx.Client(base_url="http://bench", transport=httpx.MockTransport(handle))


def batch(size: int) -> list[dict[str, int]]:
    return [{"n": i} for i in range(size)]


def test_the_events_posted_singly_are_not_posted_again() -> None:
    posted: list[int] = []
    writer = HttpBatchWriter(client(201, posted), skip=3)
    assert [writer.write(batch(2)), writer.write(batch(5)), writer.write(batch(4))] == [0, 4, 4]
    assert posted == [4, 4]
    assert writer.posted == 11 and writer.failure is None


def test_a_failed_post_stops_the_writer_and_keeps_the_reason() -> None:
    posted: list[int] = []
    writer = HttpBatchWriter(client(500, posted), skip=0)
    assert writer.write(batch(3)) == 0
    assert writer.failure is not None and "500" in writer.failure
    writer.settle()  # no wait for views that will never come
    assert writer.write(batch(3)) == 0
    assert posted == [3]
