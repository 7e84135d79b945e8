"""``medcite users`` and ``medcite review``, run in-process through the real entry point
(one-line errors, exit codes), plus one real process for the registration."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from shutil import copytree

import pytest

from medcite.cli import common
from medcite.cli.main import main
from medcite.editorial.auth import Accounts
from medcite.service import Medcite
from tests.editorial.conftest import PASSWORD, Prepared


def run_cli(home: Path, *args: str) -> tuple[int, str, str]:
    """Run ``medcite --home HOME ARGS`` in this process: (exit code, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = common.out.file, common.err.file
    common.out.file, common.err.file = stdout, stderr
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main(["--home", str(home), *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        common.out.file, common.err.file = saved
    return code, stdout.getvalue(), stderr.getvalue()


def test_users_bootstrap_add_list_disable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, _, err = run_cli(home, "users", "add", "erin", "--name", "Erin", "--role", "editor",
                           "--password", PASSWORD)
    assert code == 2 and "first account must be an admin" in err
    code, out, _ = run_cli(home, "users", "add", "ada", "--name", "Ada Admin", "--role", "admin",
                           "--password", PASSWORD)
    assert code == 0 and "added ada (admin)" in out
    code, _, err = run_cli(home, "users", "add", "rita", "--name", "Rita", "--role", "reviewer",
                           "--password", PASSWORD)
    assert code == 2 and "--as ADMIN" in err
    code, _, _ = run_cli(home, "users", "add", "rita", "--name", "Rita Roe", "--role",
                         "reviewer", "--credentials", "MD, FACP", "--password", PASSWORD,
                         "--as", "ada")
    assert code == 0
    code, _, err = run_cli(home, "users", "add", "rex", "--name", "Rex", "--role", "reader",
                           "--password", PASSWORD, "--as", "rita")
    assert code == 7 and "does not allow" in err  # a reviewer cannot manage users
    code, out, _ = run_cli(home, "users", "list", "--json")
    listed = {u["username"]: u for u in json.loads(out)}
    assert listed["rita"]["credentials"] == "MD, FACP" and not listed["rita"]["disabled"]
    assert "password" not in out
    code, _, err = run_cli(home, "users", "disable", "ada", "--as", "rita")
    assert code == 7
    code, out, _ = run_cli(home, "users", "disable", "rita", "--as", "ada")
    assert code == 0
    code, out, _ = run_cli(home, "users", "list")
    assert "rita" in out and "disabled" in out
    code, _, err = run_cli(home, "review", "queue", "--as", "rita")
    assert code == 7 and "disabled" in err


def test_users_token_works_for_the_api(prepared: Prepared, tmp_path: Path) -> None:
    home = Path(copytree(prepared.home, tmp_path / "home"))
    code, out, _ = run_cli(home, "users", "token", "rita", "--as", "rita", "--days", "1")
    token = out.strip()
    assert code == 0 and len(token) > 30
    code, _, _ = run_cli(home, "users", "token", "ravi", "--as", "rita")
    assert code == 7  # only admins issue tokens for others
    with Medcite.open(home) as service:
        found = Accounts(service.store).lookup(token, "api")
        assert found is not None and found[0].username == "rita"


def test_review_commands_through_a_whole_cycle(prepared: Prepared, tmp_path: Path) -> None:
    home = Path(copytree(prepared.home, tmp_path / "home"))
    code, out, _ = run_cli(home, "review", "new", "How is hypertension diagnosed?",
                           "--as", "erin", "--json")
    created = json.loads(out)
    article = created["article"]["id"]
    assert code == 0 and created["routed"] is False
    code, out, _ = run_cli(home, "review", "new", "How is hypertension treated first-line?",
                           "--as", "erin", "--json")
    assert json.loads(out)["routed"] is True
    code, _, err = run_cli(home, "review", "approve", str(article), "--as", "rita")
    assert code == 8 and "Draft" in err  # not submitted yet: a state error
    assert run_cli(home, "review", "submit", str(article), "--as", "erin")[0] == 0
    code, out, _ = run_cli(home, "review", "queue", "--as", "rita", "--json")
    assert article in [a["id"] for a in json.loads(out)]
    code, out, _ = run_cli(home, "review", "comment", str(article), "Cite the USPSTF?",
                           "--sentence", "0", "--as", "rita")
    assert code == 0 and "sentence:0" in out
    code, _, err = run_cli(home, "review", "approve", str(article), "--as", "erin")
    assert code == 7  # editors do not approve
    assert run_cli(home, "review", "request-changes", str(article), "--note", "see comment",
                   "--as", "rita")[0] == 0
    code, out, _ = run_cli(home, "review", "show", str(article), "--as", "erin", "--json")
    shown = json.loads(out)
    first = shown["version"]["answer"]["summary"][0]["text"] if shown["version"]["answer"][
        "summary"] else shown["version"]["answer"]["sections"][0]["sentences"][0]["text"]
    code, _, err = run_cli(home, "review", "edit", str(article), "0", first + " Always 500 mg.",
                           "--as", "erin")
    assert code == 2 and "500" in err
    assert run_cli(home, "review", "edit", str(article), "0", first, "--as", "erin")[0] == 0
    assert run_cli(home, "review", "submit", str(article), "--as", "erin")[0] == 0
    assert run_cli(home, "review", "approve", str(article), "--as", "ravi")[0] == 0
    code, out, _ = run_cli(home, "review", "publish", str(article), "--as", "erin")
    assert code == 0 and "Published" in out
    code, out, _ = run_cli(home, "review", "show", str(article), "--as", "rex")
    assert code == 0 and "approved by Ravi Reviewer, MD, PhD" in out  # readers: published
    code, out, _ = run_cli(home, "review", "history", str(article), "--as", "rita",
                           "--format", "jsonl")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert actions == ["create", "submit", "start-review", "comment", "denied",
                       "request-changes", "edit", "submit", "start-review", "approve",
                       "publish"]  # denied: Erin's attempt to approve
    code, out, _ = run_cli(home, "review", "diff", str(article), "1", "2", "--as", "rita")
    assert code == 0
    csv_path = tmp_path / "audit.csv"
    assert run_cli(home, "review", "history", "--as", "rita", "--format", "csv")[0] == 7
    code, _, _ = run_cli(home, "review", "history", "--as", "erin", "--format", "csv",
                         "--out", str(csv_path))
    assert code == 0 and csv_path.read_text().startswith("seq,at,actor,action")


def test_registration_in_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "medcite", "--home", str(tmp_path / "h"),
                             "review", "queue", "--as", "nobody"], capture_output=True,
                            text=True, env={**os.environ}, timeout=60)
    assert result.returncode == 5
    assert result.stderr.strip().startswith("error: No user 'nobody'")


@pytest.mark.parametrize("group", ["review", "users"])
def test_groups_have_help(group: str, tmp_path: Path) -> None:
    code, out, _ = run_cli(tmp_path / "h", group, "--help")
    assert code == 0 and "Usage" in out
