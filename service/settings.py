"""Settings, read from ``PARKGEO_*`` environment variables or a ``.env`` file.

With no ``PARKGEO_DATABASE_URL`` parkgeo runs its own embedded PostGIS in ``data_dir``; with
one, it uses that database and starts nothing locally.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARKGEO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: SecretStr | None = Field(
        default=None,
        description="External PostGIS, e.g. postgresql://user:pw@host/db. Unset: embedded.",
    )
    data_dir: Path = Field(
        default=Path(".parkgeo"), description="Folder of the embedded database cluster."
    )
    embedded_port: int = Field(default=55432, description="Port of the embedded database.")
    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8000, description="Port the API listens on.")
    workers: int = Field(default=1, ge=1, le=32, description="uvicorn worker processes.")
    tianditu_key: SecretStr | None = Field(
        default=None, description="Tianditu (天地图) API key for the CGCS2000 basemap."
    )
    tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Write tokens as JSON, name -> token: {"zhangsan": "s3cret"}.',
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS; empty = CORS off."
    )
    max_upload_mb: float = Field(default=20, gt=0, description="Largest accepted upload.")
    log_level: str = Field(default="INFO", description="Python logging level.")

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value in ("", None) else value

    @property
    def uses_embedded_db(self) -> bool:
        return self.database_url is None

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
