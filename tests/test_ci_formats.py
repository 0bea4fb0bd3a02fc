"""Reports CI systems read: SARIF for code scanning, JUnit XML, GitHub annotations, the CI summary.

The SARIF schema in tests/data/sarif-schema-2.1.0.json is the SARIF 2.1.0
(rtm.5, the final 2.1.0 schema) JSON Schema as shipped in the npm package
`@microsoft/jest-sarif` 1.0.0-beta.0 (MIT), file lib/schemas/sarif-2.1.0-rtm.5.json,
sha256 2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8.
It is read from disk: nothing is downloaded at test time.
"""

from __future__ import annotations

import functools
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import MINIMAL_CLAIMS, MINIMAL_REFERENCES, run_cli, run_main, write
from linters.engine import Report
from linters.model import Document, Finding, Related
from linters.report import github, junit, sarif
from linters.report._meta import Site
from linters.rules import ENGINE_RULES, all_rules

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SITE_URL = "https://example.org/guide/"

# A second claim citing a reference that does not exist: an `invalid-registry` error.
BROKEN_CLAIMS = MINIMAL_CLAIMS + MINIMAL_CLAIMS.split("claims:\n", 1)[1].replace("six-infusions", "bad-ref").replace(
    "murrough2013rapid", "nobody2020"
)

PAGES = {
    "a.md": """
        # Treatment

        Ketamine cures depression in 90% of patients.

        A course is six infusions [[claim:six-infusions]].

        Most people need a few infusions [[claim:no-such-claim]].

        <!-- linters: disable-next unsupported-claim reason="quoted from the FDA label" -->
        Ketamine reduces suicidal thoughts within hours.
        """,
    "b.md": """
        # Your visit

        Wear comfortable clothes.
        """,
}


def make_site(root: Path, mkdocs: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs, "utf-8")
    (root / "claims").mkdir(exist_ok=True)
    (root / "claims" / "claims.yml").write_text(BROKEN_CLAIMS, "utf-8")
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
    write(root / "docs", PAGES)
    return root


PLUGIN = "plugins:\n  - medical-claims:\n      vale: off\n"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each format of one run over the same site, run once for the module: {format: (exit code, stdout)}."""
    root = make_site(tmp_path_factory.mktemp("ci") / "site", f"site_name: T\nsite_url: {SITE_URL}\n{PLUGIN}")
    out = {"root": root}
    for fmt in ("json", "sarif", "junit", "github"):
        proc = run_main("check", "--format", fmt, cwd=root)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr == ""
        out[fmt] = proc.stdout
    return out


@pytest.fixture(scope="module")
def findings(reports):
    return json.loads(reports["json"])["findings"]


@functools.lru_cache(maxsize=1)
def sarif_validator():
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in sarif_validator().iter_errors(doc)]


# --- SARIF -----------------------------------------------------------------------------------


def test_the_shipped_schema_is_the_sarif_2_1_0_schema():
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert "reportingDescriptor" in schema["definitions"]


def test_the_schema_check_rejects_a_broken_sarif_log(reports):
    """The validation below can fail: a result without a message is not SARIF."""
    doc = json.loads(reports["sarif"])
    del doc["runs"][0]["results"][0]["message"]
    doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "rules/not-absolute.md"
    errors = schema_errors(doc)
    assert any("message" in e for e in errors)
    assert any("helpUri" in e for e in errors)


@pytest.mark.parametrize(
    "mkdocs",
    [
        pytest.param(f"site_name: T\nsite_url: {SITE_URL}\n{PLUGIN}", id="with-site-url"),
        pytest.param(f"site_name: T\nsite_url: https://example.org/flat\nuse_directory_urls: false\n{PLUGIN}", id="flat-urls"),
        pytest.param(f"site_name: T\n{PLUGIN}", id="no-urls"),
    ],
)
def test_sarif_output_is_valid_sarif_2_1_0(tmp_path, mkdocs):
    root = make_site(tmp_path / "site", mkdocs)
    proc = run_main("check", "--format", "sarif", cwd=root)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert schema_errors(doc) == []
    assert doc["version"] == "2.1.0" and doc["$schema"].startswith("https://")


def test_sarif_results_are_the_json_findings_at_the_same_places(reports, findings):
    run = json.loads(reports["sarif"])["runs"][0]
    live = [r for r in run["results"] if "suppressions" not in r]
    assert len(live) == len(findings) > 0
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result, finding in zip(live, findings, strict=True):
        region = result["locations"][0]["physicalLocation"]["region"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert (result["ruleId"], result["level"]) == (finding["rule"], levels[finding["severity"]])
        assert (artifact["uri"], artifact["uriBaseId"]) == (finding["path"], "SRCROOT")
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["column"])
        assert region["snippet"]["text"] == finding["excerpt"]
        if finding.get("related"):
            links = ", ".join(f"[{r['path']}:{r['line']}]({i})" for i, r in enumerate(finding["related"], start=1))
            assert result["message"]["text"] == sarif._escape_message(finding["message"]) + f" See {links}."
            assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["relatedLocations"]] == [r["path"] for r in finding["related"]]
        else:
            assert result["message"]["text"] == finding["message"]
        if "end_line" in finding:
            assert (region["endLine"], region["endColumn"]) == (finding["end_line"], finding["end_column"])
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_describes_every_rule_that_can_appear(reports):
    driver = json.loads(reports["sarif"])["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert set(all_rules()) | set(ENGINE_RULES) <= set(ids)
    assert len(ids) == len(set(ids))
    assert driver["name"] == "medical-claims-linters" and driver["version"]


@pytest.mark.parametrize("rule_id", sorted(all_rules()))
def test_sarif_rule_help_comes_from_the_rule_docstring_and_links_to_its_page(reports, rule_id):
    rules = {r["id"]: r for r in json.loads(reports["sarif"])["runs"][0]["tool"]["driver"]["rules"]}
    rule = all_rules()[rule_id]
    meta = rules[rule_id]
    assert meta["shortDescription"]["text"] == rule.summary
    what = rule.doc.split("## What it does\n", 1)[1].split("\n## ", 1)[0]
    assert meta["fullDescription"]["text"] == " ".join(what.split())
    assert "## Why is this bad?" in meta["help"]["markdown"]
    assert meta["helpUri"] == f"{SITE_URL}rules/{rule_id}/"
    assert meta["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[rule.severity_for("preview")]


def test_sarif_without_a_site_url_names_the_rule_page_in_the_repository(tmp_path):
    root = make_site(tmp_path / "site", f"site_name: T\n{PLUGIN}")
    driver = json.loads(run_main("check", "--format", "sarif", cwd=root).stdout)["runs"][0]["tool"]["driver"]
    unknown = next(r for r in driver["rules"] if r["id"] == "unknown-claim")
    assert "helpUri" not in unknown  # SARIF wants an absolute URI there
    assert "Documentation: the page rules/unknown-claim.md of the site" in unknown["help"]["text"]
    assert "informationUri" not in driver


def test_a_suppressed_finding_is_in_sarif_with_its_reason(reports):
    results = json.loads(reports["sarif"])["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["kind"], r["suppressions"][0]["justification"]) for r in suppressed] == [
        ("unsupported-claim", "inSource", "quoted from the FDA label")
    ]
    assert suppressed[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 10


def test_sarif_exit_code_and_its_meaning_are_in_the_invocation(reports):
    invocation = json.loads(reports["sarif"])["runs"][0]["invocations"][0]
    assert invocation["exitCode"] == 1
    assert "do not publish" in invocation["exitCodeDescription"]


def _report(tmp_path: Path, findings: list[Finding], suppressed=(), pages=("docs/a.md",)) -> Report:
    return Report(root=tmp_path, mode="publish", findings=list(findings), suppressed=list(suppressed), documents=[Document(path=p, source="") for p in pages])


def test_a_contradiction_lists_the_other_side_as_a_related_location(tmp_path):
    f = Finding(
        rule="contradiction", severity="error", path="docs/a.md", line=3, column=1, message="Six infusions here [but] eight there.",
        excerpt="six infusions", related=[Related(path="docs/b.md", line=7, excerpt="eight infusions")],
    )
    doc = sarif.as_data(_report(tmp_path, [f]))
    assert schema_errors(doc) == []
    result = doc["runs"][0]["results"][0]
    related = result["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "docs/b.md"
    assert related["physicalLocation"]["region"]["startLine"] == 7
    assert related["message"]["text"] == "eight infusions"
    # The message links to it, with its own brackets escaped (SARIF embedded links).
    assert result["message"]["text"] == r"Six infusions here \[but\] eight there. See [docs/b.md:7](1)."


def test_vale_rules_get_generic_metadata(tmp_path):
    f = Finding(rule="vale.Medical.Cure", severity="warning", path="docs/a.md", line=2, column=5, message="Avoid 'cure'.")
    doc = sarif.as_data(_report(tmp_path, [f]))
    assert schema_errors(doc) == []
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert "Vale" in rules["vale.Medical.Cure"]["fullDescription"]["text"]
    assert doc["runs"][0]["results"][0]["ruleIndex"] == list(rules).index("vale.Medical.Cure")
    site = Site(site_url=SITE_URL, directory_urls=True)
    expected = f"{SITE_URL}rules/vale/" if "vale" in all_rules() else f"{SITE_URL}rules/"
    assert site.rule_url("vale.Medical.Cure") == expected


@pytest.mark.parametrize(
    "site_url, directory_urls, rule_url, index_url",
    [
        ("https://example.org/guide/", True, "https://example.org/guide/rules/unknown-claim/", "https://example.org/guide/rules/"),
        ("https://example.org/guide", True, "https://example.org/guide/rules/unknown-claim/", "https://example.org/guide/rules/"),
        ("https://example.org/", False, "https://example.org/rules/unknown-claim.html", "https://example.org/rules/index.html"),
        ("", True, None, None),
    ],
)
def test_rule_links_follow_mkdocs_page_addresses(site_url, directory_urls, rule_url, index_url):
    site = Site(site_url=site_url, directory_urls=directory_urls)
    assert (site.rule_url("unknown-claim"), site.information_uri) == (rule_url, index_url)


# --- JUnit -----------------------------------------------------------------------------------


def test_junit_has_one_case_per_page_plus_the_registry(reports, findings):
    root = ET.fromstring(reports["junit"])
    suite = root.find("testsuite")
    cases = {c.get("classname"): c for c in suite.findall("testcase")}
    assert set(cases) == {"docs/a.md", "docs/b.md", "claims"}
    assert suite.get("tests") == root.get("tests") == "3"
    errors = [f for f in findings if f["severity"] == "error"]
    failed = {"claims" if f["path"].startswith("claims/") else f["path"] for f in errors}
    assert {"docs/a.md", "claims"} <= failed  # prohibited-claim on a.md, invalid-registry in claims/
    assert suite.get("failures") == root.get("failures") == str(len(failed))
    for name, case in cases.items():
        expected = sorted((f["rule"], f["line"]) for f in errors if ("claims" if f["path"].startswith("claims/") else f["path"]) == name)
        got = sorted((fl.get("type"), int(fl.text.split(":")[1])) for fl in case.findall("failure"))
        assert got == expected, name


def test_junit_failure_names_rule_message_and_place(reports, findings):
    cases = {c.get("classname"): c for c in ET.fromstring(reports["junit"]).iter("testcase")}
    prohibited = next(f for f in findings if f["rule"] == "prohibited-claim")
    failure = cases["docs/a.md"].find("failure")
    assert failure.get("type") == "prohibited-claim"
    assert failure.get("message") == prohibited["message"]
    assert f"docs/a.md:{prohibited['line']}:{prohibited['column']}:" in failure.text
    registry = cases["claims"].find("failure")
    assert registry.get("type") == "invalid-registry" and "nobody2020" in registry.get("message")


def test_junit_warnings_and_suppressions_are_system_out(reports):
    cases = {c.get("classname"): c for c in ET.fromstring(reports["junit"]).iter("testcase")}
    out = cases["docs/a.md"].find("system-out").text
    assert "warning [unknown-claim]" in out and "warning [unapproved-claim]" in out
    assert 'suppressed [unsupported-claim] reason: quoted from the FDA label' in out


@pytest.mark.parametrize(
    "message, expected",
    [
        ("Use <b> & \"quotes\" 'safely'", "Use <b> & \"quotes\" 'safely'"),
        ("control \x0b\x00 characters", "control \ufffd\ufffd characters"),
        ("émoji 💉 stay", "émoji 💉 stay"),
    ],
)
def test_junit_is_well_formed_whatever_the_message(tmp_path, message, expected):
    f = Finding(rule="prohibited-claim", severity="error", path="docs/a.md", line=1, column=1, message=message, excerpt=message)
    root = ET.fromstring(junit.render(_report(tmp_path, [f])).encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == expected
    assert expected in failure.text


# --- GitHub annotations ------------------------------------------------------------------------

ANNOTATION = re.compile(
    r"^::(?P<cmd>error|warning|notice) file=(?P<file>[^,:]+),line=(?P<line>\d+),col=(?P<col>\d+)"
    r"(?:,endLine=(?P<end_line>\d+)(?:,endColumn=(?P<end_col>\d+))?)?,title=(?P<title>[^,:]+)::(?P<message>.+)$"
)


def test_github_annotations_are_one_workflow_command_per_finding(reports, findings):
    lines = reports["github"].splitlines()
    assert len(lines) == len(findings) > 0
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(lines, findings, strict=True):
        m = ANNOTATION.match(line)
        assert m, line
        assert (m["cmd"], m["file"], int(m["line"]), int(m["col"]), m["title"]) == (
            commands[finding["severity"]], finding["path"], finding["line"], finding["column"], finding["rule"]
        )
        see = "".join(f"\nSee {r['path']}:{r['line']}: {r['excerpt']}" for r in finding.get("related", []))
        assert m["message"] == github.escape_data(finding["message"] + see)
        if "end_line" in finding:
            assert (int(m["end_line"]), int(m["end_col"])) == (finding["end_line"], finding["end_column"])


@pytest.mark.parametrize(
    "path, message, expected",
    [
        ("docs/a.md", "50% of people", "::error file=docs/a.md,line=2,col=3,title=prohibited-claim::50%25 of people"),
        ("docs/a.md", "two\nlines\r", "::error file=docs/a.md,line=2,col=3,title=prohibited-claim::two%0Alines%0D"),
        ("docs/a,b:c.md", "x: y, z", "::error file=docs/a%2Cb%3Ac.md,line=2,col=3,title=prohibited-claim::x: y, z"),
        ("docs/100%.md", "ok", "::error file=docs/100%25.md,line=2,col=3,title=prohibited-claim::ok"),
    ],
)
def test_github_annotations_escape_data_and_properties(path, message, expected):
    f = Finding(rule="prohibited-claim", severity="error", path=path, line=2, column=3, message=message)
    assert github.annotation(f) == expected


def test_github_annotation_of_a_contradiction_names_the_other_side():
    f = Finding(rule="contradiction", severity="warning", path="docs/a.md", line=2, column=1, message="Conflicting counts.",
                related=[Related("docs/b.md", 9, "eight infusions")])
    assert github.annotation(f) == "::warning file=docs/a.md,line=2,col=1,title=contradiction::Conflicting counts.%0ASee docs/b.md:9: eight infusions"


# --- errors and the CI summary -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--format", "xml"], "unknown format 'xml'"),
        (["docs/no-such-page.md"], "no-such-page.md: no such file or folder"),
        (["--format", "sarif", "-o", "no/such/folder/out.sarif"], "cannot write the report"),
    ],
)
def test_bad_format_path_or_output_exits_2_with_one_line(reports, args, expected):
    proc = run_cli("check", *args, cwd=reports["root"])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and expected in proc.stderr


def test_output_file_gets_the_report(reports, tmp_path):
    target = tmp_path / "linters.sarif"
    proc = run_cli("check", "--format", "sarif", "-o", str(target), cwd=reports["root"])
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(target.read_text("utf-8"))["runs"][0]["results"]


def test_summary_shows_counts_suppressions_and_exit_meaning(reports, tmp_path):
    step_summary = tmp_path / "step-summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(step_summary)}
    proc = run_cli("check", "--format", "sarif", "-o", str(tmp_path / "x.sarif"), "--summary", cwd=reports["root"], env=env)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    n = json.loads(reports["json"])["summary"]
    assert lines[0] == (
        f"medical-claims check (preview mode): {n['errors']} errors, {n['warnings']} warnings, {n['infos']} info"
        f"{'' if n['infos'] == 1 else 's'} in 2 pages; 1 suppressed"
    )
    assert re.search(r"^  prohibited-claim +1 error$", proc.stderr, re.M)
    assert re.search(r"^  unknown-claim +1 warning$", proc.stderr, re.M)
    assert "  docs/a.md:10  unsupported-claim  reason: quoted from the FDA label" in lines
    assert lines[-1] == "exit 1: at least one error-level finding: do not publish"
    markdown = step_summary.read_text("utf-8")
    assert "| `prohibited-claim` | 1 | 0 | 0 |" in markdown
    assert "| `docs/a.md:10` | `unsupported-claim` | quoted from the FDA label |" in markdown
    assert "**Exit 1**" in markdown


def test_no_summary_on_stderr_unless_asked(reports, tmp_path):
    env = {**os.environ, "CI": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")}
    proc = run_cli("check", "--format", "github", cwd=reports["root"], env=env)
    assert proc.returncode == 1 and proc.stderr == ""
    assert not (tmp_path / "s.md").exists()
