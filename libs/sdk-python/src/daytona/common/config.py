"""Settings: constructor arguments, then the environment, then .env.local (what `npm start` writes)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping

from .errors import DaytonaConfigError
from .retry import DEFAULT_MAX_RETRIES

DEFAULT_API_URL = "http://127.0.0.1:3000/api"
DEFAULT_REQUEST_TIMEOUT = 60.0
ENV_FILE = ".env.local"


@dataclass(frozen=True)
class ResolvedConfig:
    api_key: str
    api_url: str
    request_timeout: float
    max_retries: int = DEFAULT_MAX_RETRIES


def resolve_config(
    api_key: str | None = None,
    api_url: str | None = None,
    request_timeout: float | None = None,
    max_retries: int | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> ResolvedConfig:
    """Resolves each setting on its own. The file is read only when something is still missing,
    and never changes ``os.environ``."""
    env = os.environ if env is None else env
    key = _non_empty(api_key) or _non_empty(env.get("DAYTONA_API_KEY"))
    url = _non_empty(api_url) or _non_empty(env.get("DAYTONA_API_URL"))
    if key is None or url is None:
        found = _find_upwards(Path(cwd if cwd is not None else os.getcwd()), ENV_FILE)
        from_file = parse_env_file(found.read_text("utf-8")) if found else {}
        key = key or _non_empty(from_file.get("DAYTONA_API_KEY"))
        url = url or _non_empty(from_file.get("DAYTONA_API_URL"))
    if key is None:
        raise DaytonaConfigError(
            "No Daytona API key. Run `npm start` in the Daytona repository (it prints a key and writes it "
            "to .env.local), then run from that directory; or set DAYTONA_API_KEY; or pass Daytona(api_key=...)."
        )
    url = (url or DEFAULT_API_URL).rstrip("/")
    if not re.match(r"^https?://[^/\s]+", url):
        raise DaytonaConfigError(f'The Daytona API URL must be an http(s) URL, got "{url}"')
    timeout = DEFAULT_REQUEST_TIMEOUT if request_timeout is None else request_timeout
    if not timeout > 0:
        raise DaytonaConfigError(f"request_timeout must be a positive number of seconds, got {timeout}")
    retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise DaytonaConfigError(f"max_retries must be a whole number, 0 or more, got {retries!r}")
    return ResolvedConfig(api_key=key, api_url=url, request_timeout=float(timeout), max_retries=retries)


def parse_env_file(text: str) -> dict[str, str]:
    """``KEY=value`` lines; ``#`` comments, ``export`` prefixes and surrounding quotes are allowed."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = re.match(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", line)
        if not match:
            continue
        key, raw = match.groups()
        quoted = re.match(r"^(['\"])(.*)\1$", raw)
        values[key] = quoted.group(2) if quoted else re.sub(r"\s+#.*$", "", raw)
    return values


def _non_empty(value: str | None) -> str | None:
    value = value.strip() if value else None
    return value or None


def _find_upwards(start: Path, name: str) -> Path | None:
    for directory in [start, *start.parents]:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None
