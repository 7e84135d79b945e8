"""``medcite review``, run in-process through the real entry point (one-line errors, exit
codes), plus one real process for the registration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from shutil import copytree

import pytest

from tests.cli.conftest import run_cli
from tests.editorial.conftest import Prepared


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
