import pytest

from daytona import Daytona, DaytonaConfigError, DaytonaError
from daytona.common.config import DEFAULT_API_URL, resolve_config


def test_arguments_win_over_environment_and_env_file(tmp_path):
    (tmp_path / ".env.local").write_text("DAYTONA_API_KEY=file-key\nDAYTONA_API_URL=http://file:1/api\n")
    env = {"DAYTONA_API_KEY": "env-key", "DAYTONA_API_URL": "http://env:2/api"}
    config = resolve_config("arg-key", "http://arg:3/api/", env=env, cwd=tmp_path)
    assert (config.api_key, config.api_url) == ("arg-key", "http://arg:3/api")


def test_environment_wins_over_env_file(tmp_path):
    (tmp_path / ".env.local").write_text("DAYTONA_API_KEY=file-key\nDAYTONA_API_URL=http://file:1/api\n")
    config = resolve_config(env={"DAYTONA_API_KEY": "env-key"}, cwd=tmp_path)
    assert (config.api_key, config.api_url) == ("env-key", "http://file:1/api")


def test_env_file_is_found_in_a_parent_directory_with_quotes_and_comments(tmp_path):
    (tmp_path / ".env.local").write_text('# written by npm start\nexport DAYTONA_API_KEY="file-key"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = resolve_config(env={}, cwd=nested)
    assert (config.api_key, config.api_url) == ("file-key", DEFAULT_API_URL)


def test_missing_key_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("DAYTONA_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DaytonaConfigError) as raised:
        Daytona()
    assert isinstance(raised.value, DaytonaError)
    assert "npm start" in str(raised.value) and "DAYTONA_API_KEY" in str(raised.value)


def test_a_url_that_is_not_http_is_rejected(tmp_path):
    with pytest.raises(DaytonaConfigError, match="http"):
        resolve_config("key", "127.0.0.1:3000", env={}, cwd=tmp_path)


def test_max_retries_defaults_to_3_and_must_be_a_whole_number_0_or_more(tmp_path):
    assert resolve_config("key", env={}, cwd=tmp_path).max_retries == 3
    assert resolve_config("key", max_retries=0, env={}, cwd=tmp_path).max_retries == 0
    for bad in (-1, 1.5, True):
        with pytest.raises(DaytonaConfigError, match="max_retries"):
            resolve_config("key", max_retries=bad, env={}, cwd=tmp_path)
