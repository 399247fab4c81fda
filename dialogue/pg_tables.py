"""Tables of one feature kept beside the session store in PostgreSQL: a small pool opened on first use,
in the store's schema, with the feature's DDL applied once under an advisory lock (several workers may
start together). The desk, the outbox and the mail threads each own one."""

from __future__ import annotations

import asyncio
import re
from typing import Any

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class PgTables:
    def __init__(self, dsn: str, schema: str | None, *, ddl: str, name: str, max_size: int = 4,
                 timeout_s: float = 5.0) -> None:
        if schema is not None and not _IDENTIFIER.fullmatch(schema):
            raise ValueError(f"PostgreSQL schema name {schema!r} is not a plain identifier")
        self.dsn, self.schema, self.timeout_s = dsn, schema, timeout_s
        self._ddl, self._name, self._max_size = ddl, name, max_size
        self._pool: Any = None  # asyncpg.Pool; asyncpg ships no type hints
        self._lock = asyncio.Lock()

    async def pool(self) -> Any:
        if self._pool is not None:
            return self._pool
        import asyncpg

        async with self._lock:
            if self._pool is None:
                settings = {"search_path": self.schema} if self.schema else {}
                pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self._max_size,
                                                 timeout=self.timeout_s, command_timeout=self.timeout_s,
                                                 server_settings=settings)
                try:
                    async with pool.acquire() as conn, conn.transaction():
                        await conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('ivr.{self._name}.schema'))")
                        if self.schema:  # the session store may not have created it yet
                            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                        await conn.execute(self._ddl)
                except BaseException:
                    await pool.close()
                    raise
                self._pool = pool
        return self._pool

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with asyncio.timeout(self.timeout_s):
            return list(await (await self.pool()).fetch(sql, *args))

    async def execute(self, sql: str, *args: Any) -> str:
        async with asyncio.timeout(self.timeout_s):
            return str(await (await self.pool()).execute(sql, *args))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
