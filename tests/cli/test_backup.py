"""``medcite backup`` and ``medcite restore`` as a user runs them: real processes, while the
real server answers searches and questions on the home being backed up."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from medcite.web import create_app
from tests.cli.conftest import one_error_line, run
from tests.live_server import live_server
from tests.web.conftest import QUESTION, build_home, open_service

QUERIES = ("first-line treatment of hypertension", "salt reduction blood pressure",
           "screening for high blood pressure", "intensive blood pressure target")


class Traffic:
    """Searches and questions sent to the server one after another until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.done: list[tuple[float, str, int]] = []  # (finished at, path, status)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            n = 0
            while not self._stop.is_set():
                if n % 3 == 2:
                    response = client.post("/api/v1/ask", json={"question": QUESTION})
                else:
                    response = client.get("/api/v1/search", params={"q": QUERIES[n % 4]})
                self.done.append((time.monotonic(), response.url.path, response.status_code))
                n += 1

    def __enter__(self) -> Traffic:
        self._thread.start()
        while len(self.done) < 3:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def search_all(url: str) -> list[list[dict]]:
    keep = ("rank", "doc_id", "passage_id", "score", "text")
    return [[{k: h[k] for k in keep} for h in httpx.get(
        url + "/api/v1/search", params={"q": q}, timeout=30).json()["hits"]] for q in QUERIES]


def test_backup_while_the_server_answers_then_restore(tmp_path: Path) -> None:
    home = build_home(tmp_path / "source")
    backup = tmp_path / "backup"
    with open_service(home) as service, live_server(create_app(service)) as url:
        with Traffic(url) as traffic:
            started = time.monotonic()
            result = run(home, "backup", str(backup), "--json")
            finished = time.monotonic()
        expected = search_all(url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"] == 8 and report["files"] >= 3
    during = [d for d in traffic.done if started < d[0] < finished]
    assert {path for _, path, _ in during} == {"/api/v1/search", "/api/v1/ask"}
    assert [d for d in traffic.done if d[2] != 200] == []

    restored = tmp_path / "restored"
    result = run(restored, "restore", str(backup), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["consistent"] and data["documents"] == 8 and data["problems"] == []
    with open_service(restored) as service, live_server(create_app(service)) as url:
        assert search_all(url) == expected

    refused = run(home, "restore", str(backup))
    assert refused.returncode == 2
    assert "not empty" in one_error_line(refused) and "--force" in refused.stderr
    missing = run(tmp_path / "h", "restore", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "not a medcite backup" in one_error_line(missing)
    forced = run(home, "restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    assert "restored" in forced.stdout
