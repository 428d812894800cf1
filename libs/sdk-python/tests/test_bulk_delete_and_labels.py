"""Labels and env per bulk item, the bulk-request id, and bulk delete, sync and async."""

import pytest
from drive import MODES, aw, run
from stub_api import Answer, error_json, sandbox_json

from daytona import BULK_REQUEST_LABEL, BulkCreateItem, DaytonaValidationError

REQUEST = {BULK_REQUEST_LABEL: "a6f1c8c2-1111-4111-8111-111111111111"}


@pytest.mark.parametrize("mode", MODES)
def test_bulk_create_sends_each_items_labels_and_env_and_sandboxes_read_the_request_id(stub, mode):
    stub.on("POST", "/sandbox/bulk", Answer(200, [
        sandbox_json("la-00001", labels={"run": "eval-7", **REQUEST}, env={"EVAL_RUN": "7"}),
        sandbox_json("plain-00001", labels=REQUEST),
    ]))
    items = [
        BulkCreateItem(snapshot_id_or_name="default", count=1, sandbox_name_prefix="la", labels={"run": "eval-7"}, env={"EVAL_RUN": "7"}),
        BulkCreateItem(snapshot_id_or_name="default", count=1, sandbox_name_prefix="plain"),
    ]

    sandboxes = run(mode, stub.url, lambda d: aw(d.bulk_create(items)))

    assert stub.requests[0].body["items"] == [
        {"snapshotIdOrName": "default", "count": 1, "sandboxNamePrefix": "la", "allowUnder": False,
         "labels": {"run": "eval-7"}, "env": {"EVAL_RUN": "7"}},
        {"snapshotIdOrName": "default", "count": 1, "sandboxNamePrefix": "plain", "allowUnder": False},
    ]
    assert [s.bulk_request_id for s in sandboxes] == [REQUEST[BULK_REQUEST_LABEL]] * 2
    assert (sandboxes[0].labels, sandboxes[0].env) == ({"run": "eval-7", **REQUEST}, {"EVAL_RUN": "7"})


@pytest.mark.parametrize("mode", MODES)
def test_a_sandbox_from_create_has_no_bulk_request_id(stub, mode):
    stub.on("POST", "/sandbox", Answer(200, sandbox_json("one", "started", labels={"team": "eval"})))
    assert run(mode, stub.url, lambda d: aw(d.create())).bulk_request_id is None


@pytest.mark.parametrize("mode", MODES)
def test_bulk_delete_sends_the_selector_and_calls_again_while_has_more(stub, mode):
    stub.on("POST", "/sandbox/bulk-delete",
            Answer(200, {"count": 10000, "hasMore": True}), Answer(200, {"count": 10000, "hasMore": True}),
            Answer(200, {"count": 7, "hasMore": False}))
    ids = ["0b0e3f5c-1111-4111-8111-111111111111"]

    deleted = run(mode, stub.url, lambda d: aw(d.bulk_delete(labels={"run": "eval-7"}, name_prefix="eval-7-", ids=ids)))

    assert deleted == 20007
    selector = {"labels": {"run": "eval-7"}, "namePrefix": "eval-7-", "ids": ids}
    assert [r.body for r in stub.requests] == [selector] * 3


@pytest.mark.parametrize("mode", MODES)
def test_bulk_delete_sends_only_the_selectors_given(stub, mode):
    stub.on("POST", "/sandbox/bulk-delete", Answer(200, {"count": 0, "hasMore": False}))
    assert run(mode, stub.url, lambda d: aw(d.bulk_delete(labels={"run": "none"}))) == 0
    assert stub.requests[0].body == {"labels": {"run": "none"}}


@pytest.mark.parametrize("mode", MODES)
def test_bulk_delete_stops_when_a_round_marks_nothing(stub, mode):
    stub.on("POST", "/sandbox/bulk-delete", Answer(200, {"count": 5, "hasMore": True}), Answer(200, {"count": 0, "hasMore": True}))
    assert run(mode, stub.url, lambda d: aw(d.bulk_delete(name_prefix="stuck-"))) == 5
    assert len(stub.requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_an_empty_selector_is_the_servers_empty_selector_as_a_validation_error(stub, mode):
    stub.on("POST", "/sandbox/bulk-delete", Answer(400, error_json(400, "empty_selector", "Name at least one", {"selectors": ["labels"]})))
    with pytest.raises(DaytonaValidationError) as raised:
        run(mode, stub.url, lambda d: aw(d.bulk_delete()))
    assert (raised.value.status_code, raised.value.code) == (400, "empty_selector")
    assert stub.requests[0].body == {}
