"""In-process tests of the streaming parts: pairing by invocation id, back-pressure of generator
responses, and which functions stream. No sleeps: every step waits on a future or an event."""
import asyncio
import typing

import pytest

import azure.functions as func
from starlette.requests import Request
from starlette.responses import StreamingResponse

from functions_host_worker import proxy, streaming
from functions_host_worker.runner import SyncRunner


class FakeExchange:
    """Records what a response writes; every ``send`` waits until the test releases it (a client
    that does not read)."""

    def __init__(self) -> None:
        self.sent: typing.List[dict] = []
        self.arrivals: asyncio.Queue = asyncio.Queue()

    async def send(self, message) -> None:
        release = asyncio.get_running_loop().create_future()
        self.arrivals.put_nowait((message, release))
        await release
        self.sent.append(message)


def test_pairing_both_orders_and_timeouts():
    async def scenario():
        pairing = proxy.Pairing()
        loop = asyncio.get_running_loop()

        def exchange():
            ex = proxy.Exchange.__new__(proxy.Exchange)
            ex.claimed = loop.create_future()
            return ex
        # HTTP request first.
        first = exchange()
        assert pairing.offer("a", first)
        assert not pairing.offer("a", exchange())  # a duplicate id is refused
        assert await pairing.claim("a", 5) is first and first.claimed.done()
        # Invocation first.
        second = exchange()
        claim = asyncio.ensure_future(pairing.claim("b", 5))
        await asyncio.sleep(0)  # one loop turn: the claim parks (a yield, not a timed wait)
        assert "b" in pairing._slots
        assert pairing.offer("b", second)
        assert await claim is second
        # Nothing comes: the claim fails naming the id; a request that gave up is not claimed.
        with pytest.raises(proxy.ProxyError, match="x-ms-invocation-id c"):
            await pairing.claim("c", 0.01)
        late = exchange()
        pairing.offer("d", late)
        late.claimed.cancel()  # what the server does when its wait times out
        pairing.withdraw("d", late)
        with pytest.raises(proxy.ProxyError):
            await pairing.claim("d", 0.01)
        assert not pairing._slots  # nothing left behind
    asyncio.run(scenario())


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_generator_is_not_advanced_while_a_chunk_waits_for_the_client(kind):
    async def scenario():
        pulled = []

        def sync_items():
            for number in range(100):
                pulled.append(number)
                yield f"{number}\n"

        async def async_items():
            for item in sync_items():
                yield item
        pool = SyncRunner(2)
        generator = sync_items() if kind == "sync" else async_items()
        exchange = FakeExchange()
        writer = asyncio.ensure_future(streaming.stream_generator(
            exchange, streaming.GeneratorStream(generator, pool)))
        for arrival in range(5):
            message, release = await exchange.arrivals.get()
            # The item being written has been pulled, no further one: nothing piles up.
            assert len(pulled) == max(arrival, 1), (arrival, pulled)
            if arrival < 4:
                release.set_result(None)
        writer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writer
        pool.shutdown(cancel_pending=True)
        assert exchange.sent[0]["type"] == "http.response.start"
        assert [m["body"] for m in exchange.sent[1:]] == [b"0\n", b"1\n", b"2\n"]
    asyncio.run(scenario())


def test_which_functions_stream():
    def plain(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("x")

    def starlette_request(req: Request):
        return None

    def starlette_response(req: func.HttpRequest) -> StreamingResponse:
        return None

    def generator(req):
        yield "x"

    async def async_generator(req):
        yield "x"

    assert streaming.style_of(plain, "req") is None
    assert streaming.style_of(starlette_request, "req") == streaming.ASGI
    assert streaming.style_of(starlette_response, "req") == streaming.ASGI
    assert streaming.style_of(generator, "req") == streaming.GENERATOR
    assert streaming.style_of(async_generator, "req") == streaming.GENERATOR
    assert streaming.style_of(generator, None) is None  # not HTTP-triggered


def test_buffered_generator_uses_a_first_http_response():
    async def scenario():
        def items():
            yield func.HttpResponse(status_code=201, headers={"x-a": "1"})
            yield "one,"
            yield b"two"
        pool = SyncRunner(1)
        response = await streaming.buffer_generator(streaming.GeneratorStream(items(), pool))
        pool.shutdown(cancel_pending=True)
        assert (response.status_code, response.get_body()) == (201, b"one,two")
        assert response.headers["x-a"] == "1"
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
    asyncio.run(scenario())
