"""A real server process to kill, and a tiny HTTP client with its own cookies.

The server is gunicorn (a master and its workers) in a process group of its own, so one
SIGKILL to the group stops every process of it at once, as a power cut or the OOM killer
would. The client uses http.client with a timeout on every call and keeps its cookies by
hand (they must survive the server's restarts: the session cookie stays valid, as it does
for a real volunteer whose browser never noticed the crash).
"""
from __future__ import annotations

import html as htmllib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from charity import PROJECT_ROOT

HTTP_TIMEOUT = 20  # seconds per request: far above a posting, far below the test's budget
# What a request sees when the server dies under it (or is not there yet).
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the app on `env`'s database; start(), kill() (SIGKILL), stop()."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2, threads: int = 2):
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self, timeout: float = 60) -> None:
        self.port = free_port()
        gunicorn = Path(sys.executable).parent / "gunicorn"
        cmd = [str(gunicorn), "--workers", str(self.workers), "--threads", str(self.threads),
               "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--log-level", "warning", "--preload",
               "charity:create_app()"]
        with open(self.log_path, "ab") as log:
            # A session of its own: the process group id is the master's pid, and the workers
            # it forks inherit it.
            self.proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        """Until a worker answers a page (the port alone opens before the app is loaded)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see "
                                   f"{self.log_path}:\n{self.log_path.read_text()[-3000:]}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    return
            except TRANSPORT_ERRORS:
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {timeout}s; see {self.log_path}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once; return when all are gone."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)
        # The workers are reparented when the master dies; wait until none is left running
        # (a zombie, which holds no socket and no database connection, counts as gone).
        deadline = time.monotonic() + 10
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.proc = None

    stop = kill


def _group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name: state ppid pgrp ...
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


class Client:
    """One browser: its own cookies; every call has a timeout; no redirects followed."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None
                ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=HTTP_TIMEOUT)
        try:
            headers = {"Accept-Language": "en"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urllib.parse.urlencode(form).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()

    def login(self, username: str, password: str) -> None:
        status, _h, page = self.request("GET", "/login")
        assert status == 200, page[:500]
        status, headers, page = self.request("POST", "/login", {
            "csrf_token": input_value(page, "csrf_token"), "username": username,
            "password": password, "next": ""})
        assert status == 302, (status, page[:1000])


def input_value(page: str, name: str) -> str:
    tag = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), page)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return htmllib.unescape(value.group(1)) if value else ""


def location_id(headers: dict[str, str], prefix: str) -> int | None:
    """The id in a redirect to `prefix`<id> (e.g. /staff/intake/12), else None."""
    path = urllib.parse.urlsplit(headers.get("location", "")).path
    match = re.fullmatch(re.escape(prefix) + r"(\d+)", path)
    return int(match.group(1)) if match else None
