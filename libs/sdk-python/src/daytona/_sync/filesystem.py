"""FileSystem, the sandbox's files, blocking. Every decision lives in daytona.common.filesystem."""

from __future__ import annotations

from typing import overload

from ..common.filesystem import (
    DEFAULT_TRANSFER_TIMEOUT,
    FileDownloadRequest,
    FileDownloadResponse,
    FileInfo,
    FileSystemBase,
    FileUpload,
)


class FileSystem(FileSystemBase):
    """The sandbox's files; reach it as ``sandbox.fs``. Paths are absolute or relative to the
    sandbox user's home, and every operation runs as that user, with its permissions."""

    def upload_file(self, file: bytes | str, remote_path: str, timeout: float = DEFAULT_TRANSFER_TIMEOUT) -> None:
        """Uploads one file: ``file`` is its content (bytes) or the path of a local file, streamed
        from disk. Missing directories of ``remote_path`` are created; a file there is replaced. A
        file past the server's limit (1 GiB by default) is DaytonaValidationError ``file_too_large``.

        Example::

            sandbox.fs.upload_file(b"print('hi')\\n", "app/main.py")
            sandbox.fs.upload_file("./dataset.tar", "data/dataset.tar")  # streamed from disk
        """
        self._driver.run(self._upload_files([FileUpload(source=file, destination=remote_path)], timeout))

    def upload_files(self, files: list[FileUpload], timeout: float = DEFAULT_TRANSFER_TIMEOUT) -> None:
        """Uploads several files in one request, in order, each as ``upload_file`` sends it. On a
        failure the files before it stay written.

        Example::

            sandbox.fs.upload_files([FileUpload(b"a", "in/a.txt"), FileUpload("/tmp/big.bin", "in/big.bin")])
        """
        self._driver.run(self._upload_files(list(files), timeout))

    @overload
    def download_file(self, remote_path: str, timeout: float = DEFAULT_TRANSFER_TIMEOUT) -> bytes: ...

    @overload
    def download_file(self, remote_path: str, local_path: str, timeout: float = DEFAULT_TRANSFER_TIMEOUT) -> None: ...

    def download_file(self, remote_path: str, *args: str | float, **kwargs: str | float) -> bytes | None:
        """Downloads a file: without ``local_path`` its content, as bytes; with it, the file is
        streamed to that local path (never whole in memory) and None is returned. A missing file is
        DaytonaNotFoundError ``file_not_found``; a directory, DaytonaValidationError ``is_a_directory``.

        Example::

            content = sandbox.fs.download_file("app/main.py")
            sandbox.fs.download_file("out/model.bin", "./model.bin")
        """
        local_path, timeout = _download_arguments(args, kwargs)
        return self._driver.run(self._download_file(remote_path, local_path, timeout))

    def download_files(self, files: list[FileDownloadRequest], timeout: float = DEFAULT_TRANSFER_TIMEOUT) -> list[FileDownloadResponse]:
        """Downloads several files in one request, each to bytes or streamed to its ``destination``.
        A file that cannot be downloaded does not fail the call: its answer has ``error`` and
        ``error_details`` (with the server's code) instead of ``result``. Answers are in order.

        Example::

            a, b = sandbox.fs.download_files([FileDownloadRequest("out/a.json"), FileDownloadRequest("out/b.bin", "./b.bin")])
            if a.error:
                print(a.error_details.code)  # e.g. file_not_found
        """
        return self._driver.run(self._download_files(list(files), timeout))

    def list_files(self, path: str) -> list[FileInfo]:
        """Lists a directory; a symlink is listed as itself.

        Example::

            names = [f.name for f in sandbox.fs.list_files(".") if not f.is_dir]
        """
        return self._driver.run(self._list_files(path))

    def get_file_info(self, path: str) -> FileInfo:
        """Details of a file or directory, symlinks followed; a missing one is
        DaytonaNotFoundError ``file_not_found``.

        Example::

            info = sandbox.fs.get_file_info("app/main.py")
            print(info.size, info.is_dir, info.mod_time)
        """
        return self._driver.run(self._get_file_info(path))

    def delete_file(self, path: str, recursive: bool = False) -> None:
        """Deletes a file, or a directory: an empty one, or with ``recursive`` one with everything in
        it (a non-empty one without it is DaytonaConflictError ``directory_not_empty``).

        Example::

            sandbox.fs.delete_file("build", recursive=True)
        """
        self._driver.run(self._delete_file(path, recursive))

    def create_folder(self, path: str, mode: str) -> None:
        """Creates a directory and its missing parents, ``mode`` in octal (e.g. ``"755"``); an
        existing directory is no error.

        Example::

            sandbox.fs.create_folder("work/output", "755")
        """
        self._driver.run(self._create_folder(path, mode))

    def move_files(self, source: str, destination: str) -> None:
        """Moves or renames a file or directory; a file at ``destination`` is replaced.

        Example::

            sandbox.fs.move_files("out/result.tmp", "out/result.json")
        """
        self._driver.run(self._move_files(source, destination))


def _download_arguments(args: tuple[str | float, ...], kwargs: dict[str, str | float]) -> tuple[str | None, float]:
    """``download_file(remote, timeout)`` or ``download_file(remote, local_path, timeout)``, as the official SDK."""
    local_path = kwargs.get("local_path")
    timeout = kwargs.get("timeout", DEFAULT_TRANSFER_TIMEOUT)
    if args and isinstance(args[0], str):
        local_path, args = args[0], args[1:]
    if args:
        timeout = args[0]
    if local_path is not None and not isinstance(local_path, str):
        raise TypeError("local_path must be a str")
    return local_path, float(timeout)
