"""A minimal HTTP/1.1 keep-alive client on asyncio streams (no dependency).

Just enough for the benchmark: one request at a time per connection, bodies by
Content-Length or chunked, Set-Cookie collected. Not a general HTTP client.
"""

import asyncio
from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None


class ConnectionLost(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reusable = False

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.reusable = True

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
        self.reusable = False

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        if not self.reusable:
            self.close()
            await self._open()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.writer.write(head + body)
        try:
            return await self._read_response(method)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.close()
            raise ConnectionLost(f"{method} {path}: {exc!r}") from exc

    async def _read_response(self, method: str) -> Response:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = raw[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: list[tuple[str, str]] = []
        cookies: dict[str, str] = {}
        for line in header_lines:
            key, _, value = line.partition(":")
            key, value = key.strip().lower(), value.strip()
            headers.append((key, value))
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, cookie = pair.partition("=")
                cookies[name.strip()] = cookie.strip()
        response = Response(status, headers, b"", cookies)
        length = response.header("content-length")
        encoding = (response.header("transfer-encoding") or "").lower()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif length is not None:
            body = await self.reader.readexactly(int(length))
        elif "chunked" in encoding:
            parts = []
            while True:
                size_line = await self.reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")  # no trailers expected
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            self.reusable = False
        response.body = body
        if (response.header("connection") or "").lower() == "close":
            self.reusable = False
        return response
