"""The CI gate's own files: the GitHub Actions workflow (checked by actionlint) and the pre-commit hook.

actionlint is built from the Go module proxy into .tools/bin by
scripts/install-actionlint.sh (run by `make setup`). Where it is missing the
workflow tests skip on a developer's machine and fail in CI (`CI` set), so a
broken install cannot pass as green.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import MINIMAL_CLAIMS, MINIMAL_REFERENCES, REPO, write

WORKFLOWS = REPO / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
PINNED = re.compile(r"^\s*(?:- )?uses: (?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # (?P<tag>v\d+(?:\.\d+){0,2})\s*$")


def actionlint() -> str:
    found = REPO / ".tools" / "bin" / "actionlint"
    if found.is_file() and os.access(found, os.X_OK):
        return str(found)
    on_path = shutil.which("actionlint")
    if on_path:
        return on_path
    message = "actionlint is not installed: run `bash scripts/install-actionlint.sh` (or `make setup`)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(message)
    pytest.skip(message)


def lint(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", "-oneline", *map(str, files)], capture_output=True, text=True, timeout=120, cwd=REPO)


def workflow() -> dict:
    return YAML(typ="safe", pure=True).load(PUBLISH.read_text("utf-8"))


def steps(job: str) -> list[dict]:
    return workflow()["jobs"][job]["steps"]


# --- the workflow ------------------------------------------------------------------------------


def test_the_workflow_passes_actionlint():
    proc = lint(*sorted(WORKFLOWS.glob("*.y*ml")))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_inputs_pass_actionlint_at_their_release_tags(tmp_path):
    """actionlint checks `with:` inputs only for tags it knows (v4, not a commit): lint a copy with the tags."""
    text = PUBLISH.read_text("utf-8")
    tagged = re.sub(r"@[0-9a-f]{40} # (v\d+)[.\d]*", r"@\1", text)
    assert tagged != text
    copy = tmp_path / "publish.yml"
    copy.write_text(tagged, "utf-8")
    proc = lint(copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-dept: 0\n", "utf-8")
    proc = lint(bad)
    assert proc.returncode == 1 and "fetch-dept" in proc.stdout


def test_every_action_is_pinned_to_a_commit_with_its_release_tag():
    uses = [line for line in PUBLISH.read_text("utf-8").splitlines() if re.match(r"^\s*(?:- )?uses:", line)]
    assert uses
    assert [u for u in uses if not PINNED.match(u)] == []


def test_tests_run_with_the_readme_test_command():
    assert any(step.get("run", "").strip() == "make test" for step in steps("test"))


def test_the_gate_runs_invoke_publish_then_uploads_its_sarif_always():
    gate = steps("gate")
    publish = next(i for i, s in enumerate(gate) if s.get("run", "").strip().endswith("invoke publish"))
    assert "continue-on-error" not in gate[publish]  # this step decides the gate
    upload = next(i for i, s in enumerate(gate) if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload > publish and gate[upload]["if"].startswith("always()")  # findings are shown when the gate fails
    # the file uploaded is the one `invoke publish` writes
    sarif_file = gate[upload]["with"]["sarif_file"]
    spec = importlib.util.spec_from_file_location("repo_tasks", REPO / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    task = inspect.getsource(tasks.publish.body)
    assert re.search(rf"--format sarif (?:--output|-o) {re.escape(sarif_file)}\b", task), task
    assert workflow()["jobs"]["gate"]["permissions"]["security-events"] == "write"
    assert workflow()["jobs"]["gate"]["needs"] == "test"


def test_the_site_deploys_only_after_the_gate_and_only_from_main():
    jobs = workflow()["jobs"]
    gate = steps("gate")
    publish = next(i for i, s in enumerate(gate) if "invoke publish" in s.get("run", ""))
    artifact = next(i for i, s in enumerate(gate) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert artifact > publish and "always()" not in gate[artifact].get("if", "")
    assert "refs/heads/main" in gate[artifact]["if"]
    deploy = jobs["deploy"]
    assert deploy["needs"] == "gate" and "refs/heads/main" in deploy["if"] and "always()" not in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert workflow()["permissions"] == {"contents": "read"}  # least privilege by default


# --- the pre-commit hook ------------------------------------------------------------------------


def hook() -> dict:
    from pre_commit.clientlib import load_manifest

    (only,) = load_manifest(str(HOOKS))  # pre-commit's own schema: raises on a bad manifest
    return only


def test_the_hook_manifest_is_valid_for_pre_commit():
    h = hook()
    assert h["id"] == "medical-claims-check" and h["language"] == "python"
    assert h["pass_filenames"] is False  # the check reads the whole site; git says what changed
    assert shlex.split(h["entry"]) == ["python", "-m", "linters", "check"]


@pytest.mark.parametrize(
    "path, runs",
    [
        ("docs/index.md", True),
        ("docs/sub/page.markdown", True),
        ("claims/claims.yml", True),
        ("claims/references.json", True),
        ("mkdocs.yml", True),
        ("site/docs/a.md", True),
        ("linters/engine.py", False),
        ("docs/img/logo.png", False),
        ("README.rst", False),
    ],
)
def test_the_hook_runs_for_pages_claims_and_config(path, runs):
    assert bool(re.search(hook()["files"], path)) is runs


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_the_hook_blocks_only_what_the_commit_adds(tmp_path):
    """Run the manifest's entry and args as pre-commit would, at the repository root."""
    h = hook()
    command = [sys.executable if part == "python" else part for part in shlex.split(h["entry"])] + list(h["args"])
    root = tmp_path / "site"
    root.mkdir()
    (root / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - medical-claims:\n      vale: off\n", "utf-8")
    (root / "claims").mkdir()
    (root / "claims" / "claims.yml").write_text(MINIMAL_CLAIMS, "utf-8")
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
    # An old page with an error is already committed: not this commit's business.
    write(root / "docs", {"old.md": "# Old\n\nKetamine is completely safe.\n", "new.md": "# New\n\nBring a friend to drive you home.\n"})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    (root / "docs" / "new.md").write_text("# New\n\nBring a friend to drive you home after the visit.\n", "utf-8")
    _git(root, "add", "docs/new.md")
    clean = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "old.md" not in clean.stdout

    (root / "docs" / "new.md").write_text("# New\n\nKetamine infusions are a guaranteed cure.\n", "utf-8")
    _git(root, "add", "docs/new.md")
    blocked = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, env=env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "docs/new.md" in blocked.stdout and "prohibited-claim" in blocked.stdout
    assert "old.md" not in blocked.stdout
