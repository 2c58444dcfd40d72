"""Fetched bodies and their HTTP validators in the SQL database, for conditional GETs.

Re-auditing a site should not download every unchanged page again: with the ETag and
Last-Modified of the last 200 kept here, :class:`~provenance.fetch.Fetcher` asks
``If-None-Match``/``If-Modified-Since`` and a 304 costs a few hundred bytes. The table lives
in the project's own database (not a separate HTTP cache such as requests-cache) because
that database already travels with an audit, and because a validator cache is two queries,
not worth a dependency whose own caching rules (freshness, Vary) we would have to disable.

The table is created by the migrations (``provenance/migrations``) like every other: a
change to :class:`FetchCacheRow` needs a new migration. Importing this module registers the
model on :class:`provenance.store.Base`. Bodies are zlib-compressed (news HTML shrinks ~5×).
Each call is one short transaction on its own session, so the fetcher's worker threads can
share one :class:`SqlValidatorCache`. URLs longer than :data:`MAX_URL` are not cached.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from provenance import store
from provenance.fetch import CachedResponse

MAX_URL = 2048


class FetchCacheRow(store.Base):
    __tablename__ = "fetch_cache"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(MAX_URL), unique=True)
    final_url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(255))
    charset: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed
    fetched_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC, like the rest of the store
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=store.now)


class SqlValidatorCache:
    """A :class:`~provenance.fetch.ValidatorCache` on the ``fetch_cache`` table."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def get(self, url: str) -> CachedResponse | None:
        if len(url) > MAX_URL:
            return None
        with store.transaction(self._factory) as session:
            row = session.scalar(select(FetchCacheRow).where(FetchCacheRow.url == url))
            return _to_response(row) if row is not None else None

    def put(self, url: str, response: CachedResponse) -> None:
        if len(url) > MAX_URL:
            return
        try:
            self._upsert(url, response)
        except IntegrityError:  # another worker inserted the same URL first: update theirs
            self._upsert(url, response)

    def _upsert(self, url: str, response: CachedResponse) -> None:
        with store.transaction(self._factory) as session:
            row = session.scalar(select(FetchCacheRow).where(FetchCacheRow.url == url))
            if row is None:
                row = FetchCacheRow(url=url)
                session.add(row)
            row.final_url = response.final_url
            row.etag = response.etag
            row.last_modified = response.last_modified
            row.content_type = response.content_type
            row.charset = response.charset
            row.body = zlib.compress(response.body, 6)
            row.fetched_at = _naive_utc(response.fetched_at)
            row.checked_at = store.now()


def _to_response(row: FetchCacheRow) -> CachedResponse:
    return CachedResponse(
        final_url=row.final_url,
        etag=row.etag,
        last_modified=row.last_modified,
        content_type=row.content_type,
        charset=row.charset,
        body=zlib.decompress(row.body),
        fetched_at=row.fetched_at.replace(tzinfo=UTC),
    )


def _naive_utc(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
