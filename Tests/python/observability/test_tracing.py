"""OpenTelemetry traces of the real host, exported over OTLP/HTTP to a small receiver started by the test
(decoded with opentelemetry-proto): a server span per request continuing the caller's `traceparent`, a
child span per invocation, and the worker's `context.trace_context` continuing that span."""
from __future__ import annotations

import json
import secrets
import sys
import textwrap
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "storage"))
from live_host import LiveHost, host_binary  # noqa: E402

trace_service = pytest.importorskip("opentelemetry.proto.collector.trace.v1.trace_service_pb2")

pytestmark = pytest.mark.skipif(host_binary() is None, reason="functions-host is not built (swift build)")


class Receiver:
    """An OTLP/HTTP traces endpoint (`POST /v1/traces`, protobuf) that keeps every span it receives."""

    def __init__(self):
        self.spans: list = []
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = trace_service.ExportTraceServiceRequest()
                request.ParseFromString(body)
                with receiver.changed:
                    for resource_spans in request.resource_spans:
                        service = next((a.value.string_value for a in resource_spans.resource.attributes
                                        if a.key == "service.name"), "")
                        for scope_spans in resource_spans.scope_spans:
                            for span in scope_spans.spans:
                                receiver.spans.append((service, span))
                    receiver.changed.notify_all()
                reply = trace_service.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_for(self, predicate, timeout: float = 60.0):
        with self.changed:
            ok = self.changed.wait_for(lambda: predicate([s for _, s in self.spans]), timeout=timeout)
        assert ok, "spans received: " + ", ".join(s.name for _, s in self.spans)

    def stop(self):
        self.server.shutdown()


def attributes(span) -> dict:
    out = {}
    for a in span.attributes:
        v = a.value
        out[a.key] = v.string_value if v.HasField("string_value") else (v.int_value if v.HasField("int_value") else v)
    return out


def test_spans_follow_the_callers_traceparent_into_the_worker(tmp_path: Path):
    app = tmp_path / "app"
    files = {
        "host.json": '{"version": "2.0"}',
        "local.settings.json": json.dumps({"IsEncrypted": False, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python"}}),
        "traced/function.json": json.dumps({"bindings": [
            {"name": "req", "type": "httpTrigger", "direction": "in", "authLevel": "anonymous"},
            {"name": "$return", "type": "http", "direction": "out"}]}),
        "traced/__init__.py": """
            import azure.functions as func

            def main(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
                return func.HttpResponse(context.trace_context.trace_parent)
            """,
    }
    for relative, text in files.items():
        path = app / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))

    receiver = Receiver()
    host = LiveHost(app, tmp_path / "store.sqlite", env={
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_SERVICE_NAME": "obs-test",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    })
    try:
        host.wait_for(r"worker 0 is ready")
        trace_id = secrets.token_hex(16)
        caller_span = secrets.token_hex(8)
        request = urllib.request.Request(
            f"{host.http}/api/traced", headers={"traceparent": f"00-{trace_id}-{caller_span}-01"})
        with urllib.request.urlopen(request, timeout=60) as response:
            seen_by_worker = response.read().decode()

        def complete(spans):
            return any(s.name == "invoke traced" for s in spans) and any(s.name == "GET /api/traced" for s in spans)

        receiver.wait_for(complete)
        spans = [s for _, s in receiver.spans]
        server = next(s for s in spans if s.name == "GET /api/traced")
        invocation = next(s for s in spans if s.name == "invoke traced")
        assert all(service == "obs-test" for service, _ in receiver.spans)

        assert server.trace_id.hex() == trace_id
        assert server.parent_span_id.hex() == caller_span
        assert attributes(server)["http.response.status_code"] == 200
        assert invocation.trace_id.hex() == trace_id
        assert invocation.parent_span_id == server.span_id
        attrs = attributes(invocation)
        assert attrs["faas.name"] == "traced" and attrs["functions.outcome"] == "succeeded"
        assert attrs["faas.trigger"] == "httpTrigger" and attrs["faas.invocation_id"]

        # The worker continues the invocation's span: same trace, the invocation span as parent.
        version, worker_trace, worker_parent, _flags = seen_by_worker.split("-")
        assert version == "00" and worker_trace == trace_id
        assert worker_parent == invocation.span_id.hex()
    finally:
        host.stop()
        receiver.stop()
