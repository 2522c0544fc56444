"""A small fault-injecting HTTP proxy on loopback, in front of the real SeaweedFS.

`FaultProxy(upstream).start()` forwards every request unchanged (the Host header too, so SigV4
signatures still verify) unless a rule matches: `proxy.fail("PUT", "index.html", 500)` answers
500 to matching requests, `proxy.fail(..., "reset")` closes the connection without an answer.
Rules match the method and the end of the request path. Bounded: it only serves while the
test runs and only talks to the loopback upstream.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Rule:
    method: str
    suffix: str
    action: int | str  # an HTTP status, or "reset"
    times: int | None = None  # None: every matching request
    hits: int = 0


@dataclass
class FaultProxy:
    upstream: str
    rules: list[Rule] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, method: str, suffix: str, action: int | str, times: int | None = None) -> Rule:
        rule = Rule(method, suffix, action, times)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def start(self) -> FaultProxy:
        up = urlsplit(self.upstream)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self) -> None:
                body = self._body()
                path = self.path.split("?", 1)[0]
                proxy.seen.append((self.command, path))
                for rule in proxy.rules:
                    if rule.method == self.command and path.endswith(rule.suffix) and (
                            rule.times is None or rule.hits < rule.times):
                        rule.hits += 1
                        if rule.action == "reset":
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        data = b"<Error><Code>InternalError</Code></Error>"
                        self.send_response(int(rule.action))
                        self.send_header("Content-Type", "application/xml")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data)
                        return
                conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("transfer-encoding", "connection")}
                headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status, r.reason)
                head = self.command == "HEAD"
                for k, v in r.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection") and (
                            head or k.lower() != "content-length"):
                        self.send_header(k, v)
                if not head:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
