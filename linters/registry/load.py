"""Load `claims/*.yml` and the CSL-JSON references into a Registry, with every problem placed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import UsageError
from ..model import Finding
from ..yamlio import YamlError, load_round_trip
from .fingerprint import fingerprint
from .schema import Claim

REFERENCES_FILE = "references.json"


@dataclass
class Reference:
    key: str
    data: dict[str, Any]

    @property
    def doi(self) -> str | None:
        return self.data.get("DOI")

    @property
    def pmid(self) -> str | None:
        pmid = self.data.get("PMID")
        return str(pmid) if pmid is not None else None

    @property
    def url(self) -> str | None:
        return self.data.get("URL")


@dataclass
class ClaimEntry:
    claim: Claim
    path: str  # relative to the project root
    line: int

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.claim)


@dataclass
class Registry:
    claims: dict[str, ClaimEntry] = field(default_factory=dict)
    references: dict[str, Reference] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    present: bool = False  # False when the project has no registry at all

    def get(self, claim_id: str) -> Claim | None:
        entry = self.claims.get(claim_id)
        return entry.claim if entry else None


def _problem(path: str, line: int, message: str, excerpt: str = "", column: int = 1) -> Finding:
    return Finding(rule="invalid-registry", severity="error", path=path, line=line, column=column, message=message, excerpt=excerpt)


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: the registry file is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the registry file ({exc.strerror or exc})") from None


def _line_of(node: Any, loc: tuple, default: int) -> int:
    """Best source line (1-based) for a pydantic error location inside a ruamel node."""
    line = default
    for key in loc:
        try:
            if isinstance(key, int) and hasattr(node, "lc"):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            elif hasattr(node, "lc") and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line


def _plain(node: Any) -> Any:
    """ruamel round-trip containers → plain Python (dates stay dates)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if hasattr(node, "value") and type(node).__name__ == "ScalarFloat":
        return float(node)
    return node


def load_registry(root: Path, claims_dir: str = "claims", required: bool = False) -> Registry:
    """Read the registry under `root/claims_dir`. Raise UsageError only when it cannot be read at all."""
    reg = Registry()
    folder = (root / claims_dir).resolve()
    if not folder.exists():
        if required:
            raise UsageError(f"{root / claims_dir}: the claims registry folder does not exist")
        return reg
    if not folder.is_dir():
        raise UsageError(f"{root / claims_dir}: the claims registry must be a folder")
    reg.present = True
    ref_path = folder / REFERENCES_FILE
    if ref_path.exists():
        _load_references(reg, root, ref_path)
    for path in sorted(folder.glob("*.y*ml")):
        if path.suffix not in (".yml", ".yaml"):
            continue
        reg.files.append(path)
        _load_claims_file(reg, root, path)
    for cid, entry in reg.claims.items():
        for i, source in enumerate(entry.claim.sources):
            if source.ref not in reg.references:
                reg.problems.append(
                    _problem(entry.path, entry.line, f"Claim `{cid}` cites reference `{source.ref}`, which is not in {claims_dir}/{REFERENCES_FILE}. Add the reference (with a DOI, PMID or URL) or fix the key.", source.ref)
                )
    return reg


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _load_claims_file(reg: Registry, root: Path, path: Path) -> None:
    rel = _rel(root, path)
    text = _read(path)
    try:
        data = load_round_trip(text)
    except YamlError as exc:
        reg.problems.append(_problem(rel, exc.line + 1, f"This claims file is not valid YAML: {exc.problem}.", (text.splitlines() or [""])[min(exc.line, max(len(text.splitlines()) - 1, 0))][:200], exc.column + 1))
        return
    except Exception as exc:  # ruamel raises a few non-YAMLError types on odd input (e.g. duplicate keys)
        reg.problems.append(_problem(rel, getattr(getattr(exc, "problem_mark", None), "line", 0) + 1, f"This claims file cannot be parsed: {str(exc).splitlines()[0]}"))
        return
    if data is None:
        return
    if not isinstance(data, dict) or "claims" not in data or not isinstance(data["claims"], list):
        reg.problems.append(_problem(rel, 1, "A claims file holds a top-level `claims:` list."))
        return
    claims = data["claims"]
    for i, raw in enumerate(claims):
        line = claims.lc.item(i)[0] + 1 if hasattr(claims, "lc") else 1
        if not isinstance(raw, dict):
            reg.problems.append(_problem(rel, line, "Each claim is a mapping with id, statement, category, sources and review."))
            continue
        try:
            claim = Claim.model_validate(_plain(raw))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "claim"
                err_line = _line_of(raw, err["loc"], line)
                cid = raw.get("id", "?")
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "missing":
                    msg = f"Claim `{cid}` is missing the required field `{where}`."
                elif err["type"] == "extra_forbidden":
                    msg = f"Claim `{cid}` has an unknown field `{where}` (check the spelling)."
                elif err["type"].startswith("date"):
                    msg = f"Claim `{cid}`: `{where}` is not a valid date; write it as YYYY-MM-DD."
                else:
                    msg = f"Claim `{cid}`: `{where}`: {msg}."
                reg.problems.append(_problem(rel, err_line, msg, str(raw.get("id", ""))))
            continue
        if claim.id in reg.claims:
            first = reg.claims[claim.id]
            reg.problems.append(_problem(rel, line, f"Duplicate claim id `{claim.id}`: it is already defined at {first.path}:{first.line}. Ids must be unique.", claim.id))
            continue
        reg.claims[claim.id] = ClaimEntry(claim=claim, path=rel, line=line)


_CSL_SCHEMA: dict | None = None


def _csl_schema() -> dict:
    global _CSL_SCHEMA
    if _CSL_SCHEMA is None:
        _CSL_SCHEMA = json.loads(resources.files("linters.data").joinpath("csl-data.schema.json").read_text("utf-8"))
    return _CSL_SCHEMA


def _load_references(reg: Registry, root: Path, path: Path) -> None:
    rel = _rel(root, path)
    text = _read(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reg.problems.append(_problem(rel, exc.lineno, f"The references file is not valid JSON: {exc.msg}.", column=exc.colno))
        return
    lines = text.splitlines()

    def line_of_key(key: Any) -> int:
        needle = json.dumps(str(key))
        for n, ln in enumerate(lines, 1):
            if '"id"' in ln and needle in ln:
                return n
        return 1

    import jsonschema  # here: importing it costs more than a warm run's whole registry load

    validator = jsonschema.Draft202012Validator(_csl_schema())
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        idx = err.absolute_path[0] if err.absolute_path else None
        item = data[idx] if isinstance(idx, int) and isinstance(data, list) else {}
        key = item.get("id", f"#{idx}") if isinstance(item, dict) else f"#{idx}"
        field_ = "/".join(str(p) for p in list(err.absolute_path)[1:]) or "entry"
        if err.validator == "anyOf" and not list(err.absolute_path)[1:]:
            msg = f"Reference `{key}` needs a DOI, PMID, PMCID or URL so a reader can check it."
        else:
            msg = f"Reference `{key}`: `{field_}`: {err.message}."
        reg.problems.append(_problem(rel, line_of_key(key), msg, str(key)))
    if not isinstance(data, list):
        return
    for item in data:
        if isinstance(item, dict) and "id" in item:
            key = str(item["id"])
            if key in reg.references:
                reg.problems.append(_problem(rel, line_of_key(key), f"Duplicate reference id `{key}`.", key))
            reg.references[key] = Reference(key=key, data=item)
