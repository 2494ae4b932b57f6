"""The host's Azure-Storage-compatible endpoints, driven by the REAL official SDKs.

A ``functions-host storage`` process (``.build/debug/functions-host``; ``FUNCTIONS_HOST_BIN``
overrides) serves Blob and Queue on free ports from a store in a temporary folder. The fixture
waits for its machine-readable line

    storage endpoints: blob=http://127.0.0.1:PORT/devstoreaccount1 queue=http://127.0.0.1:PORT/devstoreaccount1

and every test talks to it with ``azure-storage-blob`` / ``azure-storage-queue`` through a full
connection string, exactly as an app would.
"""
import hashlib
import io
import os
import re
import selectors
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

blob_sdk = pytest.importorskip("azure.storage.blob")
queue_sdk = pytest.importorskip("azure.storage.queue")
from azure.core import MatchConditions  # noqa: E402
from azure.core.exceptions import (  # noqa: E402
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobServiceClient, ContentSettings  # noqa: E402
from azure.storage.queue import (  # noqa: E402
    QueueClient,
    QueueServiceClient,
    TextBase64DecodePolicy,
    TextBase64EncodePolicy,
)

ROOT = Path(__file__).resolve().parents[3]
BINARY = Path(os.environ.get("FUNCTIONS_HOST_BIN") or ROOT / ".build" / "debug" / "functions-host")
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
ENDPOINTS_LINE = re.compile(r"^storage endpoints: blob=(\S+) queue=(\S+)$")
START_TIMEOUT = 60  # seconds to wait for the line (a debug build on a busy machine)
MiB = 1 << 20


class StorageHost:
    """A running ``functions-host storage`` process."""

    def __init__(self, process, blob_endpoint, queue_endpoint):
        self.process = process
        self.blob_endpoint = blob_endpoint
        self.queue_endpoint = queue_endpoint

    def connection_string(self, key=KEY):
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={key};"
            f"BlobEndpoint={self.blob_endpoint};QueueEndpoint={self.queue_endpoint};"
        )

    def memory(self, field):
        """``VmRSS`` (resident now) or ``VmHWM`` (peak) of the process in bytes (Linux), or None."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
        return int(match.group(1)) * 1024 if match else None

    def reset_peak(self):
        """Resets the kernel's peak-RSS mark to the current RSS (Linux 4.0+); False if not allowed."""
        try:
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False


def _wait_for_endpoints(process):
    """Reads stdout until the endpoints line; fails if the process exits or stays silent."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    try:
        while True:
            if not selector.select(timeout=START_TIMEOUT):
                raise AssertionError(f"no endpoints line within {START_TIMEOUT}s")
            line = process.stdout.readline()
            if not line:
                raise AssertionError(f"functions-host storage exited ({process.wait()}) before listening")
            match = ENDPOINTS_LINE.match(line.strip())
            if match:
                return match.group(1), match.group(2)
    finally:
        selector.close()


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    if not BINARY.exists():
        pytest.skip(f"{BINARY} is missing: run `swift build --product functions-host` (or set FUNCTIONS_HOST_BIN)")
    store = tmp_path_factory.mktemp("storage") / "store.sqlite"
    stderr = open(tmp_path_factory.mktemp("logs") / "host.log", "w+")
    process = subprocess.Popen(
        [str(BINARY), "storage", "--store", str(store), "--blob-port", "0", "--queue-port", "0",
         "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1,
    )
    try:
        blob, queue = _wait_for_endpoints(process)
        yield StorageHost(process, blob, queue)
    except AssertionError:
        stderr.seek(0)
        raise AssertionError(stderr.read())
    finally:
        process.terminate()  # SIGTERM: graceful shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stderr.close()


@pytest.fixture
def blob_service(host):
    return BlobServiceClient.from_connection_string(host.connection_string())


@pytest.fixture
def queue_service(host):
    return QueueServiceClient.from_connection_string(host.connection_string())


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:12]}"


class PatternStream(io.RawIOBase):
    """``size`` deterministic pseudo-random bytes, generated as read (never held whole)."""

    def __init__(self, size, seed=b"seed"):
        self.remaining = size
        self.block = hashlib.sha256(seed).digest() * 2048  # 64 KiB pattern
        self.offset = 0

    def readable(self):
        return True

    # requests sizes streamed bodies with len() - tell(); without both it would switch to chunked.
    def __len__(self):
        return self.offset + self.remaining

    def tell(self):
        return self.offset

    def readinto(self, buffer):
        n = min(len(buffer), self.remaining)
        written = 0
        while written < n:
            start = self.offset % len(self.block)
            piece = self.block[start:start + (n - written)]
            buffer[written:written + len(piece)] = piece
            written += len(piece)
            self.offset += len(piece)
        self.remaining -= n
        return n


def pattern_digest(size, seed=b"seed"):
    digest = hashlib.sha256()
    stream = PatternStream(size, seed)
    while chunk := stream.read(4 * MiB):
        digest.update(chunk)
    return digest.hexdigest()


# MARK: Blobs

def test_containers_create_list_properties_delete(blob_service):
    names = [unique("list-c-") for _ in range(3)]
    for name in names:
        blob_service.create_container(name, metadata={"owner": "ada"})
    with pytest.raises(ResourceExistsError):
        blob_service.create_container(names[0])

    listed = [c for c in blob_service.list_containers(name_starts_with="list-c-", include_metadata=True)]
    assert {c.name for c in listed} >= set(names)
    assert all(c.metadata == {"owner": "ada"} for c in listed if c.name in names)
    pages = list(blob_service.list_containers(name_starts_with="list-c-", results_per_page=2).by_page())
    assert [len(list(page)) for page in pages][:1] == [2]

    container = blob_service.get_container_client(names[0])
    properties = container.get_container_properties()
    assert properties.name == names[0] and properties.metadata == {"owner": "ada"}
    container.set_container_metadata({"k": "v"})
    assert container.get_container_properties().metadata == {"k": "v"}
    assert container.exists()

    container.delete_container()
    assert not container.exists()
    with pytest.raises(ResourceNotFoundError):
        container.get_container_properties()


def test_small_upload_download_properties_metadata(blob_service):
    container = blob_service.create_container(unique("small-"))
    blob = container.get_blob_client("dir/hello world.txt")
    blob.upload_blob(b"hello, world", metadata={"Author": "ada"},
                     content_settings=ContentSettings(content_type="text/plain"))
    assert blob.download_blob().readall() == b"hello, world"
    assert blob.download_blob(offset=7, length=5).readall() == b"world"

    properties = blob.get_blob_properties()
    assert properties.size == 12
    assert properties.metadata == {"Author": "ada"}
    assert properties.content_settings.content_type == "text/plain"
    assert properties.blob_type == "BlockBlob"
    assert properties.content_settings.content_md5 == hashlib.md5(b"hello, world").digest()
    assert properties.creation_time.year >= 2024

    with pytest.raises(ResourceExistsError):
        blob.upload_blob(b"again", overwrite=False)
    blob.upload_blob(b"again", overwrite=True)
    assert blob.download_blob().readall() == b"again"

    blob.set_blob_metadata({"k": "v"})
    assert blob.get_blob_properties().metadata == {"k": "v"}
    blob.set_http_headers(ContentSettings(content_type="application/json", content_disposition="attachment"))
    settings = blob.get_blob_properties().content_settings
    assert settings.content_type == "application/json" and settings.content_disposition == "attachment"

    empty = container.get_blob_client("empty")
    empty.upload_blob(b"")
    assert empty.download_blob().readall() == b""

    blob.delete_blob()
    assert not blob.exists()
    with pytest.raises(ResourceNotFoundError):
        blob.download_blob().readall()


def test_conditional_requests(blob_service):
    container = blob_service.create_container(unique("cond-"))
    blob = container.get_blob_client("b")
    etag = blob.upload_blob(b"v1")["etag"]
    with pytest.raises(HttpResponseError) as failed:
        blob.upload_blob(b"v2", overwrite=True, etag='"0xdifferent"', match_condition=MatchConditions.IfNotModified)
    assert failed.value.status_code == 412
    blob.upload_blob(b"v2", overwrite=True, etag=etag, match_condition=MatchConditions.IfNotModified)
    assert blob.download_blob().readall() == b"v2"


def test_list_blobs_with_prefix_paging_and_delimiter(blob_service):
    container = blob_service.create_container(unique("listing-"))
    names = ["a.txt", "p/1", "p/2", "p/3", "p/4", "p/5", "p/sub/x", "q.txt"]
    for name in names:
        container.upload_blob(name, name.encode(), metadata={"n": "1"})
    assert [b.name for b in container.list_blobs()] == sorted(names)
    pages = [[b.name for b in page] for page in container.list_blobs(name_starts_with="p/", results_per_page=2).by_page()]
    assert pages == [["p/1", "p/2"], ["p/3", "p/4"], ["p/5", "p/sub/x"]]
    with_metadata = list(container.list_blobs(name_starts_with="p/1", include=["metadata"]))
    assert with_metadata[0].metadata == {"n": "1"} and with_metadata[0].size == 3
    # The SDK yields the BlobPrefix entries of a page before its blobs.
    assert sorted(b.name for b in container.walk_blobs()) == ["a.txt", "p/", "q.txt"]
    assert sorted(b.name for b in container.walk_blobs(name_starts_with="p/")) == ["p/1", "p/2", "p/3", "p/4", "p/5", "p/sub/"]


def test_large_upload_uses_blocks_and_ranged_downloads(host, blob_service):
    size = 72 * MiB + 12345  # above max_single_put_size (64 MiB): Put Block + Put Block List
    container = blob_service.create_container(unique("large-"))
    blob = container.get_blob_client("large.bin")
    blob.upload_blob(PatternStream(size), length=size, max_concurrency=2)
    assert blob.get_blob_properties().size == size

    digest = hashlib.sha256()
    downloader = blob.download_blob(max_concurrency=1)  # 32 MiB first range, then 4 MiB ranges
    for chunk in downloader.chunks():
        digest.update(chunk)
    assert digest.hexdigest() == pattern_digest(size)


def test_one_192_mib_request_streams_through_the_host(host, blob_service):
    """One 192 MiB request body (a single Put Block, streamed by the SDK from a generator) and the
    download of the blob must not grow the host's peak RSS by 100 MiB: bodies are never collected."""
    if host.memory("VmRSS") is None:
        pytest.skip("RSS is only readable on Linux")
    container = blob_service.create_container(unique("stream-"))
    size = 192 * MiB
    blob = container.get_blob_client("one-request.bin")
    blob.upload_blob(b"warm-up")  # first-use allocations are not the streaming's
    blob.download_blob().readall()
    before = host.memory("VmRSS") if host.reset_peak() else host.memory("VmHWM")

    blob.stage_block("block-1", PatternStream(size, b"one"), length=size)
    blob.commit_block_list(["block-1"])
    digest = hashlib.sha256()
    for chunk in blob.download_blob(max_concurrency=1).chunks():
        digest.update(chunk)
    assert digest.hexdigest() == pattern_digest(size, b"one")
    growth = host.memory("VmHWM") - before
    assert growth < 100 * MiB, f"peak RSS grew by {growth / MiB:.0f} MiB"


# MARK: Queues

def test_queues_create_list_metadata_count(queue_service):
    names = [unique("qlist-") for _ in range(3)]
    for name in names:
        queue_service.create_queue(name, metadata={"team": "core"})
    listed = list(queue_service.list_queues(name_starts_with="qlist-", include_metadata=True))
    assert {q.name for q in listed} >= set(names)
    assert all(q.metadata == {"team": "core"} for q in listed if q.name in names)
    pages = list(queue_service.list_queues(name_starts_with="qlist-", results_per_page=2).by_page())
    assert len(list(pages[0])) == 2

    queue = queue_service.get_queue_client(names[0])
    queue.set_queue_metadata({"k": "v"})
    queue.send_message("one")
    queue.send_message("two")
    properties = queue.get_queue_properties()
    assert properties.metadata == {"k": "v"}
    assert properties.approximate_message_count == 2

    queue_service.delete_queue(names[0])
    with pytest.raises(ResourceNotFoundError):
        queue.get_queue_properties()


def test_send_receive_peek_update_delete_clear(queue_service):
    queue = queue_service.create_queue(unique("msgs-"))
    sent = queue.send_message("hello <world> & 'you'", time_to_live=3600)
    assert sent.id and sent.inserted_on and sent.expires_on
    assert (sent.expires_on - sent.inserted_on).total_seconds() == pytest.approx(3600, abs=2)
    forever = queue.send_message("forever", time_to_live=-1)
    assert forever.expires_on.year == 9999
    queue.send_message("hidden", visibility_timeout=3600)

    peeked = queue.peek_messages(max_messages=32)
    assert [m.content for m in peeked] == ["hello <world> & 'you'", "forever"]
    assert all(m.pop_receipt is None for m in peeked)

    received = queue.receive_message(visibility_timeout=60)
    assert received.content == "hello <world> & 'you'" and received.dequeue_count == 1
    assert received.next_visible_on > datetime.now(timezone.utc)
    # Invisible now: the next receive gets the other visible message only.
    others = list(queue.receive_messages(messages_per_page=32, visibility_timeout=60))
    assert [m.content for m in others] == ["forever"]
    assert list(queue.receive_messages(visibility_timeout=60)) == []

    updated = queue.update_message(received, content="changed", visibility_timeout=0)
    assert updated.pop_receipt and updated.pop_receipt != received.pop_receipt
    again = queue.receive_message(visibility_timeout=60)
    assert again.content == "changed" and again.dequeue_count == 2
    queue.delete_message(again)
    with pytest.raises(HttpResponseError):
        queue.delete_message(again.id, again.pop_receipt)

    assert queue.get_queue_properties().approximate_message_count == 2  # "forever" (leased) and "hidden"
    queue.clear_messages()
    assert queue.get_queue_properties().approximate_message_count == 0


def test_base64_policy_round_trip(host):
    name = unique("b64-")
    encoded = QueueClient.from_connection_string(
        host.connection_string(), name,
        message_encode_policy=TextBase64EncodePolicy(), message_decode_policy=TextBase64DecodePolicy())
    encoded.create_queue()
    encoded.send_message("héllo, functions")
    plain = QueueClient.from_connection_string(host.connection_string(), name)
    assert plain.peek_messages()[0].content == "aMOpbGxvLCBmdW5jdGlvbnM="  # stored as sent, never decoded
    assert encoded.receive_message().content == "héllo, functions"


def test_message_limit_is_azures(queue_service):
    queue = queue_service.create_queue(unique("limit-"))
    queue.send_message("x" * (64 * 1024))
    with pytest.raises(HttpResponseError) as failed:
        queue.send_message("x" * (64 * 1024 + 1))
    assert failed.value.status_code == 413 and failed.value.error_code == "RequestBodyTooLarge"


# MARK: Auth

def test_wrong_account_key_is_refused(host):
    wrong = host.connection_string(key="d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXk=")
    with pytest.raises(ClientAuthenticationError) as failed:
        QueueServiceClient.from_connection_string(wrong).create_queue(unique("nope-"))
    assert failed.value.status_code == 403 and failed.value.error_code == "AuthenticationFailed"
    with pytest.raises(ClientAuthenticationError) as failed:
        list(BlobServiceClient.from_connection_string(wrong).list_containers())
    assert failed.value.status_code == 403 and failed.value.error_code == "AuthenticationFailed"
