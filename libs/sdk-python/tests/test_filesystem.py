import email.parser
import email.policy
import json
import urllib.parse

import pytest
from drive import MODES, aw, run
from stub_api import Answer, error_json, sandbox_json

from daytona import (
    DaytonaAuthorizationError,
    DaytonaConflictError,
    DaytonaConnectionError,
    DaytonaNotFoundError,
    DaytonaTimeoutError,
    DaytonaValidationError,
    FileDownloadErrorDetails,
    FileDownloadRequest,
    FileDownloadResponse,
    FileInfo,
    FileUpload,
)
from daytona.common.multipart import MultipartReader, OutgoingPart, encode_multipart

DTO = sandbox_json("files-00001", "started")
BASE = f"/toolbox/{DTO['id']}"
INFO = {
    "name": "a.txt", "path": "/home/daytona/a.txt", "isDir": False, "size": 1, "mode": "-rw-r--r--", "permissions": "0644",
    "owner": "daytona", "group": "daytona", "modTime": "2026-01-01T00:00:00Z", "modifiedAt": "2026-01-01T00:00:00Z",
}


def with_fs(step):
    async def scenario(daytona):
        sandbox = await aw(daytona.get(DTO["name"]))
        return await aw(step(sandbox.fs))

    return scenario


def sent_parts(request):
    """The parts the SDK sent, decoded by the standard library's MIME parser."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.raw)
    return [(part.get_param("name", header="content-disposition"), part.get_filename(), part.get_payload(decode=True)) for part in message.iter_parts()]


def multipart_answer(parts):
    boundary = "daytona-test-boundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{path}"\r\n\r\n'.encode() + content + b"\r\n"
        for name, path, content in parts
    ) + f"--{boundary}--\r\n".encode()
    return Answer(200, body, headers={"content-type": f"multipart/form-data; boundary={boundary}"})


@pytest.fixture
def sandbox_stub(stub):
    stub.on("GET", f"/sandbox/{DTO['name']}", Answer(200, DTO))
    return stub


@pytest.mark.parametrize("mode", MODES)
def test_upload_file_sends_bytes_or_a_local_file_as_one_bulk_upload_entry(sandbox_stub, mode, tmp_path):
    sandbox_stub.on("POST", f"{BASE}/files/bulk-upload", Answer(200, {"files": []}))
    local = tmp_path / "data.bin"
    local.write_bytes(b"x" * 3_000_000)

    async def step(fs):
        await aw(fs.upload_file(b"print('hi')\n", "app/main.py"))
        await aw(fs.upload_file(str(local), "data/data.bin"))

    run(mode, sandbox_stub.url, with_fs(step))
    first, second = [r for r in sandbox_stub.requests if r.path == f"{BASE}/files/bulk-upload"]
    assert first.headers["Authorization"] == "Bearer test-key"
    assert sent_parts(first) == [("files[0].path", None, b"app/main.py"), ("files[0].file", "main.py", b"print('hi')\n")]
    assert sent_parts(second)[1] == ("files[0].file", "data.bin", b"x" * 3_000_000)
    assert int(second.headers["Content-Length"]) == len(second.raw)


@pytest.mark.parametrize("mode", MODES)
def test_upload_files_sends_every_entry_in_order(sandbox_stub, mode):
    sandbox_stub.on("POST", f"{BASE}/files/bulk-upload", Answer(200, {"files": []}))
    run(mode, sandbox_stub.url, with_fs(lambda fs: fs.upload_files([FileUpload(b"a", "in/a.txt"), FileUpload(b"b", "/tmp/b.txt")])))
    request = next(r for r in sandbox_stub.requests if r.path == f"{BASE}/files/bulk-upload")
    assert [(name, content) for name, _, content in sent_parts(request)] == [
        ("files[0].path", b"in/a.txt"), ("files[0].file", b"a"), ("files[1].path", b"/tmp/b.txt"), ("files[1].file", b"b"),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_upload_errors_carry_the_servers_code_and_a_missing_local_file_sends_nothing(sandbox_stub, mode, tmp_path):
    sandbox_stub.on("POST", f"{BASE}/files/bulk-upload", Answer(413, error_json(413, "file_too_large", "past 1 GiB")))
    with pytest.raises(DaytonaValidationError) as raised:
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.upload_file(b"big", "big.bin")))
    assert (raised.value.status_code, raised.value.code) == (413, "file_too_large")

    sandbox_stub.on("POST", f"{BASE}/files/bulk-upload", Answer(403, error_json(403, "file_permission_denied", "Permission denied")))
    with pytest.raises(DaytonaAuthorizationError) as raised:
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.upload_file(b"x", "../../etc/shadow")))
    assert raised.value.code == "file_permission_denied"

    with pytest.raises(DaytonaValidationError, match="no local file"):
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.upload_file(str(tmp_path / "missing.bin"), "x")))
    assert len([r for r in sandbox_stub.requests if r.path == f"{BASE}/files/bulk-upload"]) == 2


@pytest.mark.parametrize("mode", MODES)
def test_download_file_answers_bytes_or_streams_to_a_local_path(sandbox_stub, mode, tmp_path):
    sandbox_stub.on("GET", f"{BASE}/files/download", Answer(200, b"file content"))
    target = tmp_path / "todo.txt"

    async def step(fs):
        return await aw(fs.download_file("notes/todo.txt")), await aw(fs.download_file("notes/todo.txt", str(target)))

    assert run(mode, sandbox_stub.url, with_fs(step)) == (b"file content", None)
    assert target.read_bytes() == b"file content"
    assert urllib.parse.unquote(sandbox_stub.requests[-1].path) == f"{BASE}/files/download?path=notes/todo.txt"


@pytest.mark.parametrize("mode", MODES)
def test_download_errors_cut_answers_and_timeouts(sandbox_stub, mode, tmp_path):
    sandbox_stub.on("GET", f"{BASE}/files/download", Answer(404, error_json(404, "file_not_found", "No such file: nope.txt")))
    with pytest.raises(DaytonaNotFoundError) as raised:
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.download_file("nope.txt")))
    assert (raised.value.code, raised.value.message) == ("file_not_found", "No such file: nope.txt")

    sandbox_stub.on("GET", f"{BASE}/files/download", Answer(200, b"\x01" * 200_000, cut=True))
    with pytest.raises(DaytonaConnectionError):
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.download_file("big.bin", str(tmp_path / "big.bin"))))

    sandbox_stub.on("GET", f"{BASE}/files/download", Answer(200, b"late", delay=3))
    with pytest.raises(DaytonaTimeoutError):
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.download_file("slow.bin", timeout=0.5)))


@pytest.mark.parametrize("mode", MODES)
def test_download_files_answers_per_path_in_order(sandbox_stub, mode, tmp_path):
    missing = json.dumps(error_json(404, "file_not_found", "No such file: missing.txt")).encode()
    sandbox_stub.on("POST", f"{BASE}/files/bulk-download", multipart_answer(
        [("file", "a.txt", b"alpha"), ("error", "missing.txt", missing), ("file", "b.bin", b"\x07" * 100_000)]
    ))
    target = str(tmp_path / "b.bin")
    requests = [FileDownloadRequest("a.txt"), FileDownloadRequest("missing.txt"), FileDownloadRequest("b.bin", target)]

    answers = run(mode, sandbox_stub.url, with_fs(lambda fs: fs.download_files(requests)))

    assert next(r for r in sandbox_stub.requests if r.path == f"{BASE}/files/bulk-download").body == {"paths": ["a.txt", "missing.txt", "b.bin"]}
    assert answers == [
        FileDownloadResponse("a.txt", result=b"alpha"),
        FileDownloadResponse(
            "missing.txt", error="No such file: missing.txt",
            error_details=FileDownloadErrorDetails("No such file: missing.txt", 404, "file_not_found"),
        ),
        FileDownloadResponse("b.bin", result=target),
    ]
    assert (tmp_path / "b.bin").read_bytes() == b"\x07" * 100_000


@pytest.mark.parametrize("mode", MODES)
def test_a_bulk_download_cut_before_its_closing_boundary_is_a_connection_error(sandbox_stub, mode):
    answer = multipart_answer([("file", "a.txt", b"alpha")])
    answer.body = answer.body[:-12]
    sandbox_stub.on("POST", f"{BASE}/files/bulk-download", answer)
    with pytest.raises(DaytonaConnectionError, match="closing boundary"):
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.download_files([FileDownloadRequest("a.txt")])))


@pytest.mark.parametrize("mode", MODES)
def test_list_info_delete_folder_and_move_call_their_routes(sandbox_stub, mode):
    sandbox_stub.on("GET", f"{BASE}/files", Answer(200, [INFO]))
    sandbox_stub.on("GET", f"{BASE}/files/info", Answer(200, INFO))
    sandbox_stub.on("DELETE", f"{BASE}/files", Answer(204))
    sandbox_stub.on("POST", f"{BASE}/files/folder", Answer(204))
    sandbox_stub.on("POST", f"{BASE}/files/move", Answer(204))

    async def step(fs):
        listed, info = await aw(fs.list_files(".")), await aw(fs.get_file_info("a.txt"))
        await aw(fs.delete_file("build", recursive=True))
        await aw(fs.create_folder("work/out", "755"))
        await aw(fs.move_files("a.txt", "b/a.txt"))
        return listed, info

    listed, info = run(mode, sandbox_stub.url, with_fs(step))
    expected = FileInfo("a.txt", "/home/daytona/a.txt", False, 1, "-rw-r--r--", "0644", "daytona", "daytona", "2026-01-01T00:00:00Z")
    assert (listed, info) == ([expected], expected)
    assert [f"{r.method} {urllib.parse.unquote(r.path)}" for r in sandbox_stub.requests[1:]] == [
        f"GET {BASE}/files?path=.",
        f"GET {BASE}/files/info?path=a.txt",
        f"DELETE {BASE}/files?path=build&recursive=true",
        f"POST {BASE}/files/folder?path=work/out&mode=755",
        f"POST {BASE}/files/move?source=a.txt&destination=b/a.txt",
    ]


@pytest.mark.parametrize("mode", MODES)
def test_file_operation_errors_carry_the_servers_code(sandbox_stub, mode):
    sandbox_stub.on("GET", f"{BASE}/files/info", Answer(404, error_json(404, "file_not_found", "No such file: x")))
    sandbox_stub.on("DELETE", f"{BASE}/files", Answer(409, error_json(409, "directory_not_empty")))
    with pytest.raises(DaytonaNotFoundError) as raised:
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.get_file_info("x")))
    assert raised.value.code == "file_not_found"
    with pytest.raises(DaytonaConflictError) as raised:
        run(mode, sandbox_stub.url, with_fs(lambda fs: fs.delete_file("dir")))
    assert raised.value.code == "directory_not_empty"


def test_the_multipart_reader_reads_what_the_encoder_writes_a_byte_at_a_time(tmp_path):
    local = tmp_path / "f.bin"
    local.write_bytes(b"content\r\n--not-it\r\n" * 1000)
    body = encode_multipart([OutgoingPart("files[0].path", content=b"a b.txt"), OutgoingPart("files[0].file", local_path=str(local), filename='q"uote.txt')])
    raw = b"".join(body.chunks())
    assert len(raw) == body.content_length
    parts = []

    def open_part(part):
        chunks = []

        class Sink:
            def write(self, chunk):
                chunks.append(chunk)

            def end(self):
                parts.append((part.name, part.filename, b"".join(chunks)))

        return Sink()

    reader = MultipartReader(body.content_type, open_part)
    for byte in raw:
        reader.feed(bytes([byte]))
    reader.close()
    assert parts == [("files[0].path", None, b"a b.txt"), ("files[0].file", "q%22uote.txt", local.read_bytes())]
