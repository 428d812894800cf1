"""Retries of idempotent calls and the Idempotency-Key, against a real local server, sync and async.
Waits go to a FakeClock, so delays are checked exactly and nothing sleeps."""

import re
import socket
import time
from email.utils import formatdate

import pytest
from drive import MODES, FakeClock, aw, run
from stub_api import Answer, error_json, sandbox_json, snapshot_json

from daytona import (
    BulkCreateItem,
    CreateSnapshotParams,
    DaytonaConflictError,
    DaytonaConnectionError,
    DaytonaRateLimitError,
    DaytonaServerError,
    DaytonaTimeoutError,
    DaytonaValidationError,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ITEM = BulkCreateItem(snapshot_id_or_name="default", count=2, sandbox_name_prefix="retry")


def unavailable(**headers):
    return Answer(503, error_json(503, "database_unavailable", "try later"), headers=headers)


def sent_to(stub, method, path):
    return [r for r in stub.requests if r.method == method and r.path.split("?")[0] == path]


def keys(requests):
    return [next((v for k, v in r.headers.items() if k.lower() == "idempotency-key"), None) for r in requests]


@pytest.mark.parametrize("mode", MODES)
def test_create_and_bulk_create_send_a_fresh_uuid_key_per_call_or_the_callers_own(stub, mode):
    stub.on("POST", "/sandbox", Answer(200, sandbox_json("one", "started")))
    stub.on("POST", "/sandbox/bulk", Answer(200, [sandbox_json("retry-00001")]))

    async def scenario(daytona):
        await aw(daytona.create())
        await aw(daytona.create())
        await aw(daytona.create(idempotency_key="my-create-1"))
        await aw(daytona.bulk_create([ITEM]))
        await aw(daytona.bulk_create([ITEM], idempotency_key="my-bulk-1"))

    run(mode, stub.url, scenario, clock=FakeClock())
    first, second, own = keys(sent_to(stub, "POST", "/sandbox"))
    assert UUID.match(first) and UUID.match(second) and first != second
    assert own == "my-create-1"
    generated, own_bulk = keys(sent_to(stub, "POST", "/sandbox/bulk"))
    assert UUID.match(generated) and own_bulk == "my-bulk-1"


@pytest.mark.parametrize("mode", MODES)
def test_a_bulk_create_cut_off_midway_is_sent_again_with_the_same_key_and_answers_once(stub, mode):
    dtos = [sandbox_json("retry-00001"), sandbox_json("retry-00002")]
    stub.on("POST", "/sandbox/bulk", Answer(200, dtos, cut=True), Answer(200, dtos))
    clock = FakeClock(draw=0.5)

    sandboxes = run(mode, stub.url, lambda d: aw(d.bulk_create([ITEM])), clock=clock)

    assert [s.name for s in sandboxes] == ["retry-00001", "retry-00002"]
    attempts = sent_to(stub, "POST", "/sandbox/bulk")
    assert len(attempts) == 2 and attempts[0].body == attempts[1].body
    first, second = keys(attempts)
    assert first is not None and second == first
    assert clock.sleeps == [0.25]  # half of the first retry's 0.5 s ceiling


@pytest.mark.parametrize("mode", MODES)
def test_a_create_whose_connection_is_reset_is_sent_again_with_the_same_key(stub, mode):
    dto = sandbox_json("once", "started")
    stub.on("POST", "/sandbox", Answer(reset=True), Answer(reset=True), Answer(200, dto))
    clock = FakeClock(draw=0.999)

    sandbox = run(mode, stub.url, lambda d: aw(d.create()), clock=clock)

    assert sandbox.id == dto["id"]
    sent = keys(sent_to(stub, "POST", "/sandbox"))
    assert len(sent) == 3 and len(set(sent)) == 1
    assert clock.sleeps == pytest.approx([0.4995, 0.999])


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_connection_is_tried_one_plus_max_retries_times(mode):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock(draw=0.999)
    with pytest.raises(DaytonaConnectionError):
        run(mode, f"http://127.0.0.1:{port}/api", lambda d: aw(d.list()), clock=clock, max_retries=2)
    assert clock.sleeps == pytest.approx([0.4995, 0.999])


@pytest.mark.parametrize("mode", MODES)
def test_a_503_without_retry_after_backs_off_doubling_up_to_8_s_until_max_retries(stub, mode):
    stub.on("GET", "/sandbox/busy", unavailable())
    clock = FakeClock(draw=0.999)
    with pytest.raises(DaytonaServerError) as raised:
        run(mode, stub.url, lambda d: aw(d.get("busy")), clock=clock, max_retries=6, request_timeout=600)
    assert (raised.value.status_code, raised.value.code) == (503, "database_unavailable")
    assert len(sent_to(stub, "GET", "/sandbox/busy")) == 7
    assert clock.sleeps == pytest.approx([0.4995, 0.999, 1.998, 3.996, 7.992, 7.992])


@pytest.mark.parametrize("mode", MODES)
def test_each_wait_is_a_random_fraction_of_its_ceiling(stub, mode):
    stub.on("GET", "/sandbox/busy", unavailable(), unavailable(), Answer(200, sandbox_json("busy")))
    clock = FakeClock(draw=0.1)
    run(mode, stub.url, lambda d: aw(d.get("busy")), clock=clock)
    assert clock.sleeps == pytest.approx([0.05, 0.1])


@pytest.mark.parametrize("mode", MODES)
def test_a_429_with_retry_after_in_seconds_waits_exactly_that_long(stub, mode):
    stub.on("GET", "/sandbox/x", Answer(429, error_json(429, "rate_limited"), headers={"Retry-After": "2"}), Answer(200, sandbox_json("x")))
    clock = FakeClock()
    assert run(mode, stub.url, lambda d: aw(d.get("x")), clock=clock).name == "x"
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize("mode", MODES)
def test_a_503_with_retry_after_as_an_http_date_waits_until_then(stub, mode):
    at = formatdate(time.time() + 5, usegmt=True)  # whole seconds: 4-5 s from now
    stub.on("DELETE", "/sandbox/later", unavailable(**{"Retry-After": at}), Answer(200, sandbox_json("later", "destroyed")))
    clock = FakeClock()
    run(mode, stub.url, lambda d: aw(d.delete("later")), clock=clock)
    assert len(clock.sleeps) == 1 and 3 < clock.sleeps[0] <= 5


@pytest.mark.parametrize("mode", MODES)
def test_a_retry_after_beyond_the_deadline_is_not_waited_for(stub, mode):
    stub.on("GET", "/sandbox/x", Answer(429, error_json(429, "rate_limited"), headers={"Retry-After": "30"}))
    clock = FakeClock()
    with pytest.raises(DaytonaRateLimitError) as raised:
        run(mode, stub.url, lambda d: aw(d.get("x")), clock=clock, request_timeout=10)
    assert raised.value.retry_after == 30
    assert len(sent_to(stub, "GET", "/sandbox/x")) == 1 and clock.sleeps == []


@pytest.mark.parametrize("mode", MODES)
def test_retries_stop_at_the_calls_deadline_whatever_max_retries_allows(stub, mode):
    stub.on("GET", "/sandbox/x", unavailable(**{"Retry-After": "1"}))
    clock = FakeClock()
    with pytest.raises(DaytonaServerError):
        run(mode, stub.url, lambda d: aw(d.get("x")), clock=clock, request_timeout=2.5, max_retries=10)
    # Tried at 0 s and 1 s, then a wait to 2 s; a wait to 3 s would pass the 2.5 s deadline.
    assert len(sent_to(stub, "GET", "/sandbox/x")) == 3
    assert clock.sleeps == [1.0, 1.0]


@pytest.mark.parametrize("mode", MODES)
def test_max_retries_0_makes_one_attempt(stub, mode):
    stub.on("GET", "/sandbox/x", unavailable())
    with pytest.raises(DaytonaServerError):
        run(mode, stub.url, lambda d: aw(d.get("x")), clock=FakeClock(), max_retries=0)
    assert len(sent_to(stub, "GET", "/sandbox/x")) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_409_idempotency_key_in_progress_is_retried_with_the_same_key(stub, mode):
    stub.on("POST", "/sandbox/bulk", Answer(409, error_json(409, "idempotency_key_in_progress")), Answer(200, [sandbox_json("retry-00001")]))
    assert len(run(mode, stub.url, lambda d: aw(d.bulk_create([ITEM])), clock=FakeClock())) == 1
    sent = keys(sent_to(stub, "POST", "/sandbox/bulk"))
    assert len(sent) == 2 and sent[0] == sent[1]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("case", "method", "path", "answer", "error_class"),
    [
        ("a command (it may have run)", "POST", "/toolbox/{id}/toolbox/process/execute", unavailable(), DaytonaServerError),
        ("a 500", "GET", "/sandbox/x", Answer(500, error_json(500, "internal_error")), DaytonaServerError),
        ("a 409 name_conflict", "POST", "/sandbox", Answer(409, error_json(409, "name_conflict")), DaytonaConflictError),
        ("a 422 idempotency_key_reused", "POST", "/sandbox", Answer(422, error_json(422, "idempotency_key_reused")), DaytonaValidationError),
    ],
)
def test_no_retry_of(stub, mode, case, method, path, answer, error_class):
    dto = sandbox_json("x", "started")
    path = path.format(id=dto["id"])
    stub.on("GET", "/sandbox/by-name", Answer(200, dto))
    stub.on(method, path, answer)
    clock = FakeClock()

    async def scenario(daytona):
        if path.startswith("/toolbox"):
            await aw((await aw(daytona.get("by-name"))).process.execute_command("date >> log"))
        elif method == "GET":
            await aw(daytona.get("x"))
        else:
            await aw(daytona.create())

    with pytest.raises(error_class):
        run(mode, stub.url, scenario, clock=clock)
    assert len(sent_to(stub, method, path)) == 1 and clock.sleeps == []


@pytest.mark.parametrize("mode", MODES)
def test_no_retry_of_a_timeout_the_deadline_has_passed(stub, mode):
    stub.on("GET", "/sandbox/slow", Answer(200, sandbox_json("slow"), delay=1.5))
    with pytest.raises(DaytonaTimeoutError, match="within 0.3 s"):
        run(mode, stub.url, lambda d: aw(d.get("slow")), clock=FakeClock(), request_timeout=0.3)
    assert len(sent_to(stub, "GET", "/sandbox/slow")) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_bulk_create_that_cannot_get_through_names_its_key_to_repeat_it(stub, mode):
    stub.on("POST", "/sandbox/bulk", Answer(reset=True))
    with pytest.raises(DaytonaConnectionError, match=r'retry-00001.*idempotency_key="bulk-7"'):
        run(mode, stub.url, lambda d: aw(d.bulk_create([ITEM], idempotency_key="bulk-7")), clock=FakeClock(), max_retries=1)
    assert len(sent_to(stub, "POST", "/sandbox/bulk")) == 2


@pytest.mark.parametrize("mode", MODES)
def test_snapshot_reads_deletes_and_polls_are_retried_but_a_snapshot_create_is_not(stub, mode):
    pending, active = snapshot_json(name="py", state="pending"), snapshot_json(name="py", state="active")
    pending["id"] = active["id"]
    stub.on("POST", "/snapshots", Answer(200, pending))
    stub.on("GET", f"/snapshots/{pending['id']}", unavailable(), Answer(200, active))
    stub.on("GET", "/snapshots", unavailable(), Answer(200, {"items": [active], "total": 1, "page": 1, "totalPages": 1}))
    stub.on("DELETE", "/snapshots/py", unavailable(), Answer(200, None))

    async def scenario(daytona):
        created = await aw(daytona.snapshot.create(CreateSnapshotParams(name="py", image="py:1"), timeout=30))
        page = await aw(daytona.snapshot.list())
        await aw(daytona.snapshot.delete("py"))
        return created, page

    created, page = run(mode, stub.url, scenario, clock=FakeClock())
    assert created.state == "active" and [s.name for s in page.items] == ["py"]
    assert [len(sent_to(stub, m, p)) for m, p in [("GET", f"/snapshots/{pending['id']}"), ("GET", "/snapshots"), ("DELETE", "/snapshots/py")]] == [2, 2, 2]

    stub.on("POST", "/snapshots", unavailable())
    with pytest.raises(DaytonaServerError):
        run(mode, stub.url, lambda d: aw(d.snapshot.create(CreateSnapshotParams(name="py2", image="py:1"))), clock=FakeClock())
    assert len(sent_to(stub, "POST", "/snapshots")) == 2  # the first create, and this one once
