"""Python SDK of a self-hosted Daytona API: ``Daytona`` (blocking) and ``AsyncDaytona`` (asyncio)."""

from daytona_api_client import SandboxState, SnapshotState

from ._async.daytona import AsyncDaytona
from ._async.filesystem import AsyncFileSystem
from ._async.sandbox import AsyncProcess, AsyncSandbox
from ._async.snapshot import AsyncSnapshotService
from ._sync.daytona import Daytona
from ._sync.filesystem import FileSystem
from ._sync.sandbox import Process, Sandbox
from ._sync.snapshot import SnapshotService
from .common.daytona import BulkCreateItem, CreateSandboxParams, SandboxPage
from .common.filesystem import FileDownloadErrorDetails, FileDownloadRequest, FileDownloadResponse, FileInfo, FileUpload
from .common.errors import (
    DaytonaAuthenticationError,
    DaytonaAuthorizationError,
    DaytonaConfigError,
    DaytonaConflictError,
    DaytonaConnectionError,
    DaytonaError,
    DaytonaNotFoundError,
    DaytonaRateLimitError,
    DaytonaSandboxStateError,
    DaytonaServerError,
    DaytonaSnapshotStateError,
    DaytonaTimeoutError,
    DaytonaValidationError,
)
from .common.process import (
    CodeRunParams,
    Command,
    ExecuteResponse,
    Session,
    SessionCommandLogsResponse,
    SessionExecuteRequest,
    SessionExecuteResponse,
)
from .common.sandbox import BULK_REQUEST_LABEL
from .common.snapshot import CreateSnapshotParams, PaginatedSnapshots, Resources, Snapshot

__all__ = [
    "Daytona",
    "AsyncDaytona",
    "Sandbox",
    "AsyncSandbox",
    "Process",
    "AsyncProcess",
    "FileSystem",
    "AsyncFileSystem",
    "FileUpload",
    "FileDownloadRequest",
    "FileDownloadResponse",
    "FileDownloadErrorDetails",
    "FileInfo",
    "CodeRunParams",
    "SessionExecuteRequest",
    "SessionExecuteResponse",
    "Session",
    "Command",
    "SessionCommandLogsResponse",
    "BulkCreateItem",
    "CreateSandboxParams",
    "SandboxPage",
    "ExecuteResponse",
    "SandboxState",
    "BULK_REQUEST_LABEL",
    "DaytonaError",
    "DaytonaConfigError",
    "DaytonaValidationError",
    "DaytonaAuthenticationError",
    "DaytonaAuthorizationError",
    "DaytonaNotFoundError",
    "DaytonaConflictError",
    "DaytonaRateLimitError",
    "DaytonaServerError",
    "DaytonaTimeoutError",
    "DaytonaConnectionError",
    "DaytonaSandboxStateError",
    "SnapshotService",
    "AsyncSnapshotService",
    "CreateSnapshotParams",
    "Resources",
    "Snapshot",
    "PaginatedSnapshots",
    "SnapshotState",
    "DaytonaSnapshotStateError",
]
