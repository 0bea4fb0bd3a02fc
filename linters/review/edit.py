"""Change one claim's `review:` block in place: round-trip YAML, atomic write, no lost edits.

A reviewer's approval must never damage the registry a team maintains by hand,
so the edit is careful in three ways:

- ruamel.yaml round-trips the file (comments, key order, quotes) with the
  indentation detected from the file, and only the lines of the claim's
  `review:` block are taken from its output; every other line is copied from the
  original bytes. The result is parsed again and must equal the original data
  with just that review changed, or nothing is written.
- The new file is written to a temporary file in the same folder, fsynced, and
  moved over the old one with os.replace (atomic on POSIX), then the folder is
  fsynced: a crash leaves the old file or the new one, never a truncated one.
- Writers take an exclusive lock (`claims/.lock`) for the whole
  read-modify-write, and the file's bytes are compared (sha256) with what was
  read just before the replace: an edit made meanwhile by a person in an editor
  is never overwritten.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from ..errors import UsageError
from ..yamlio import YamlError, load_round_trip

LOCK_FILE = ".lock"
LOCK_TIMEOUT = 30.0  # seconds to wait for another reviewer's write to finish
_CHUNK = 64 * 1024
_TEMP_NAME = re.compile(r"^\..+\.\d+\.tmp$")
# Where new review keys go, so an approval reads the same in every claim.
REVIEW_ORDER = ("status", "reviewer", "approved_on", "next_review", "fingerprint", "rejected_on", "reason")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Snapshot:
    """A claims file as read for an edit: the exact bytes (and their hash) and the round-trip data."""

    path: Path
    rel: str  # for messages
    raw: bytes
    digest: str
    text: str  # decoded, line ends normalised to \n
    bom: bool
    crlf: bool
    data: Any


def read_snapshot(path: Path, rel: str) -> Snapshot:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{rel}: cannot read the claims file ({exc.strerror or exc})") from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{rel}: the claims file is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    try:
        data = load_round_trip(text)
    except YamlError as exc:
        raise UsageError(f"{rel}:{exc.line + 1}: the claims file is not valid YAML ({exc.problem}); fix it before reviewing") from None
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise UsageError(f"{rel}:1: a claims file holds a top-level `claims:` list")
    return Snapshot(path, rel, raw, sha256(raw), text, bom, crlf, data)


def claim_index(snap: Snapshot, claim_id: str) -> int | None:
    for i, item in enumerate(snap.data["claims"]):
        if isinstance(item, dict) and item.get("id") == claim_id:
            return i
    return None


def claim_lines(snap: Snapshot, index: int) -> tuple[int, int]:
    """0-based [first, end) source lines of claim `index` (up to the next claim or top-level key)."""
    claims = snap.data["claims"]
    start = claims.lc.item(index)[0]
    if index + 1 < len(claims):
        return start, claims.lc.item(index + 1)[0]
    return start, _after_claims(snap.data, snap.text)


def _after_claims(data: Any, text: str) -> int:
    keys = list(data.keys())
    k = keys.index("claims")
    return data.lc.key(keys[k + 1])[0] if k + 1 < len(keys) else text.count("\n") + 1


def _review_lines(data: Any, text: str, index: int) -> tuple[int, int]:
    """0-based [first, end) lines of the `review:` entry of claim `index`: its key up to the next sibling."""
    claims = data["claims"]
    node = claims[index]
    keys = list(node.keys())
    k = keys.index("review")
    start = node.lc.key("review")[0]
    if k + 1 < len(keys):
        end = node.lc.key(keys[k + 1])[0]
    elif index + 1 < len(claims):
        end = claims.lc.item(index + 1)[0]
    else:
        end = _after_claims(data, text)
    return start, end


def detect_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) as ruamel.yaml names them, read from the file's own nesting."""
    offset = sequence = None
    mapping = None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or not stripped.endswith(":") or stripped.startswith("- "):
            continue
        indent = len(line) - len(line.lstrip(" "))
        for nxt in lines[i + 1 :]:
            s = nxt.strip()
            if not s or s.startswith("#"):
                continue
            child = len(nxt) - len(nxt.lstrip(" "))
            if child > indent or (s.startswith("- ") and child == indent):
                if s.startswith("- ") and offset is None:
                    offset = child - indent
                    after_dash = len(s) - len(s[1:].lstrip(" "))  # "-" plus the spaces after it
                    sequence = offset + after_dash
                elif not s.startswith("- ") and mapping is None:
                    mapping = child - indent
            break
        if offset is not None and mapping is not None:
            break
    mapping = mapping or 2
    if offset is None:
        offset, sequence = 2, 4
    return mapping, max(sequence, offset + 2), offset


def _null_spelling(region: str, text: str, flow: bool) -> str:
    """How to write a cleared key: as the review block already does, else as the file does."""
    for scope in (region, None if flow else text):
        if scope is None:
            break
        nulls = len(re.findall(r":[ \t]+null[ \t]*(?=[,}#\n]|$)", scope))
        tildes = len(re.findall(r":[ \t]+~[ \t]*(?=[,}#\n]|$)", scope))
        if nulls or tildes:
            return "null" if nulls >= tildes else "~"
    return "null" if flow else ""


def _yaml_for(text: str, spelling: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never re-wrap a long statement or quote
    mapping, sequence, offset = detect_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.representer.add_representer(type(None), lambda rep, _data: rep.represent_scalar("tag:yaml.org,2002:null", spelling))
    return yaml


def _set_keys(review: Any, values: dict[str, Any]) -> None:
    """Set review keys: existing ones keep their place, new ones go after their REVIEW_ORDER neighbour."""
    for key, value in values.items():
        if key in review:
            review[key] = value
            continue
        keys = list(review.keys())
        rank = REVIEW_ORDER.index(key) if key in REVIEW_ORDER else len(REVIEW_ORDER)
        pos = 0
        for i, existing in enumerate(keys):
            if existing in REVIEW_ORDER and REVIEW_ORDER.index(existing) < rank:
                pos = i + 1
        if pos >= len(keys):
            _append_key(review, key, value)
        else:
            review.insert(pos, key, value)


def _append_key(review: Any, key: str, value: Any) -> None:
    """Append, moving the comment lines that trail the old last value (a section header, blank lines) after the new key."""
    keys = list(review.keys())
    review[key] = value
    if not keys or getattr(review, "fa", None) is not None and review.fa.flow_style():
        return
    last = keys[-1]
    item = review.ca.items.get(last)
    token = item[2] if item and len(item) > 2 else None
    if token is None or "\n" not in token.value:
        return
    head, _, tail = token.value.partition("\n")
    if head.strip():
        token.value = head + "\n"
    else:
        item[2] = None
    if tail:
        review.ca.items[key] = [None, None, CommentToken("\n" + tail, CommentMark(0), None), None]


def edit_review(snap: Snapshot, index: int, values: dict[str, Any], clear: tuple[str, ...] = ()) -> bytes:
    """The new bytes of the file with claim `index`'s review updated; every other line as it was."""
    expected = _normal(snap.data)  # before the change: the file as read
    review_plain = expected["claims"][index]["review"]
    node = snap.data["claims"][index]
    review = node.get("review")
    if not isinstance(review, dict) or not isinstance(review_plain, dict):
        raise UsageError(f"{snap.rel}:{node.lc.line + 1}: claim `{node.get('id')}` has no `review:` mapping to update")
    old_start, old_end = _review_lines(snap.data, snap.text, index)

    cleared = {k: None for k in clear if k in review}
    _set_keys(review, {**values, **cleared})
    review_plain.update(_normal(values))
    review_plain.update(cleared)

    out = io.StringIO()
    region = "\n".join(snap.text.split("\n")[old_start:old_end])
    flow = bool(getattr(review, "fa", None) is not None and review.fa.flow_style())
    _yaml_for(snap.text, _null_spelling(region, snap.text, flow)).dump(snap.data, out)
    dumped = out.getvalue()
    new_start, new_end = _review_lines(load_round_trip(dumped), dumped, index)

    old_lines = snap.text.split("\n")
    new_lines = dumped.split("\n")
    result = "\n".join(old_lines[:old_start] + new_lines[new_start:new_end] + old_lines[old_end:])
    try:
        same = _normal(load_round_trip(result)) == expected
    except YamlError:
        same = False
    if not same:
        raise UsageError(
            f"{snap.rel}:{old_start + 1}: cannot update the review of `{node.get('id')}` without changing other lines; "
            "edit its `review:` block by hand, or simplify its layout"
        )
    if snap.crlf:
        result = result.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if snap.bom else b"") + result.encode("utf-8")


def _normal(node: Any) -> Any:
    """Round-trip data as plain values to compare two versions of a file (dates as ISO text either way)."""
    if isinstance(node, dict):
        return {str(k): _normal(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_normal(v) for v in node]
    if isinstance(node, (date, datetime)):
        return node.isoformat()
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, float):
        return float(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, str):
        return str(node)
    return node


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a folder; the rename is still atomic
        pass
    finally:
        os.close(fd)


def write_atomic(snap: Snapshot, data: bytes) -> None:
    """Replace the file with `data` (temp file, fsync, os.replace, fsync folder), unless it changed since read."""
    target = snap.path.resolve()  # a symlinked registry file keeps its link
    folder = target.parent
    tmp = folder / f".{target.name}.{os.getpid()}.tmp"
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o644
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view[:_CHUNK])
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise UsageError(f"{snap.rel}: cannot read the claims file again before writing ({exc.strerror or exc}); nothing was changed") from None
        if sha256(current) != snap.digest:
            raise UsageError(f"{snap.rel}: the file changed while the review was being recorded (someone else edited it); nothing was written, run the command again")
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def remove_stale_temp_files(folder: Path) -> None:
    """Temp files left by a writer that was killed; call only while holding the lock."""
    for path in folder.glob(".*.tmp"):
        if _TEMP_NAME.match(path.name):
            try:
                path.unlink()
            except OSError:
                pass


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock without waiting; False if another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def registry_lock(folder: Path, rel: str, timeout: float | None = None) -> Iterator[None]:
    """Exclusive lock on `folder/.lock` for a whole read-modify-write; the OS releases it if the process dies."""
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"{rel}/{LOCK_FILE}: cannot create the lock file ({exc.strerror or exc})") from None
    try:
        deadline = time.monotonic() + (LOCK_TIMEOUT if timeout is None else timeout)
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise UsageError(f"{rel}/{LOCK_FILE}: another review is still writing the registry; try again in a moment")
            time.sleep(0.05)
        yield  # closing the descriptor below releases the lock
    finally:
        os.close(fd)
