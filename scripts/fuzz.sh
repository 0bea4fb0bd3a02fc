#!/usr/bin/env bash
# Fuzz the page parser, the claim-tag syntax and the range grammar with atheris (libFuzzer).
#
#   scripts/fuzz.sh [RUNS] [TARGET ...]     RUNS inputs per target (default 100000); targets: parser tags ranges
#
# Installs atheris into the venv if it is missing. Each target starts from the seeds in
# fuzz/seeds/TARGET (plus this site's docs/ for the parser) and a Markdown dictionary; the
# corpus it grows and any crashing input are kept in $FUZZ_WORK (default: a temp folder).
# Exit 0 when every target ran all its inputs without a crash.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
RUNS=${1:-100000}
shift || true
TARGETS=${*:-parser tags ranges}
WORK=${FUZZ_WORK:-${TMPDIR:-/tmp}/medical-claims-fuzz}

if ! "$PY" -c "import atheris" 2>/dev/null; then
  echo "installing atheris (the fuzz extra)..." >&2
  "$PY" -m pip install --quiet "atheris>=2.3"
fi

status=0
for target in $TARGETS; do
  corpus="$WORK/$target"
  mkdir -p "$corpus"
  cp fuzz/seeds/"$target"/* "$corpus"/
  if [ "$target" = parser ]; then cp docs/*.md "$corpus"/ 2>/dev/null || true; fi
  log="$WORK/$target.log"
  echo "== fuzz_$target: $RUNS inputs (corpus and crashes in $corpus, log $log)"
  start=$(date +%s)
  if "$PY" "fuzz/fuzz_$target.py" -runs="$RUNS" -dict=fuzz/markdown.dict -max_len=8192 -timeout=30 -rss_limit_mb=4096 \
      -artifact_prefix="$corpus/" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    result="no crash"
  else
    result="CRASH: see $log and $corpus/crash-* (rerun one: $PY fuzz/fuzz_$target.py FILE)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "   $runs inputs in $(( $(date +%s) - start )) s: $result"
done
exit $status
