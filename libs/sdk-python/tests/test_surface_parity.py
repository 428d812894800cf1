"""Fails when the sync and async public surfaces drift apart."""

import inspect

import pytest

import daytona
from daytona import (
    AsyncDaytona,
    AsyncFileSystem,
    AsyncProcess,
    AsyncSandbox,
    AsyncSnapshotService,
    Daytona,
    FileSystem,
    Process,
    Sandbox,
    SnapshotService,
)

PAIRS = [(Daytona, AsyncDaytona), (Sandbox, AsyncSandbox), (Process, AsyncProcess), (FileSystem, AsyncFileSystem), (SnapshotService, AsyncSnapshotService)]
# Context-manager protocols differ by nature: __enter__/__exit__ against __aenter__/__aexit__.
PROTOCOL = {"__enter__", "__exit__", "__aenter__", "__aexit__"}


def public_methods(cls):
    return {name for name, value in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


def normalized(annotation: str) -> str:
    return (
        annotation.replace("AsyncSnapshotService", "SnapshotService")
        .replace("AsyncSandbox", "Sandbox")
        .replace("AsyncProcess", "Process")
        .replace("AsyncDaytona", "Daytona")
        .replace("AsyncFileSystem", "FileSystem")
    )


@pytest.mark.parametrize(("sync_class", "async_class"), PAIRS)
def test_same_public_methods_with_the_same_parameters(sync_class, async_class):
    assert public_methods(sync_class) == public_methods(async_class)
    for name in public_methods(sync_class) | {"__init__"}:
        sync_sig, async_sig = inspect.signature(getattr(sync_class, name)), inspect.signature(getattr(async_class, name))
        assert [(p.name, p.kind, p.default, normalized(str(p.annotation))) for p in sync_sig.parameters.values()] == [
            (p.name, p.kind, p.default, normalized(str(p.annotation))) for p in async_sig.parameters.values()
        ], name
        assert normalized(str(sync_sig.return_annotation)) == normalized(str(async_sig.return_annotation)), name


@pytest.mark.parametrize(("sync_class", "async_class"), PAIRS)
def test_async_methods_are_coroutines_and_every_public_method_has_an_example(sync_class, async_class):
    # Methods defined on the shared base (e.g. to_dict) do no I/O and are the same object in both.
    for name in public_methods(sync_class) & set(vars(sync_class)):
        assert not inspect.iscoroutinefunction(getattr(sync_class, name)), name
        assert inspect.iscoroutinefunction(getattr(async_class, name)), name
        for cls in (sync_class, async_class):
            doc = getattr(cls, name).__doc__ or ""
            assert "Example" in doc or name == "close", f"{cls.__name__}.{name} has no example"


def test_fields_are_shared_not_copied():
    assert {n for n, v in vars(Sandbox).items() if isinstance(v, property)} == set()
    assert Sandbox.__mro__[1] is AsyncSandbox.__mro__[1]


def test_both_clients_reach_their_snapshot_service_by_the_same_name():
    assert Daytona.__annotations__["snapshot"] == "SnapshotService"
    assert AsyncDaytona.__annotations__["snapshot"] == "AsyncSnapshotService"


def test_explicit_exports_resolve():
    assert all(hasattr(daytona, name) for name in daytona.__all__)
    assert {"Daytona", "AsyncDaytona", "Sandbox", "AsyncSandbox", "BulkCreateItem", "SandboxState", "DaytonaError"} <= set(daytona.__all__)
