"""Medical review of the claims registry.

- `status`: where each claim stands (pending, stale, expiring, expired, rejected,
  unused, unaudited). Shared by `review list`, the `stale-approval` and
  `expired-claim` rules and the site's registry page, so "stale" and "expired"
  are decided in one place.
- `decide`: approve or reject one claim (validation, then the edit and the log).
- `edit`: the in-place, atomic, locked edit of one claim's `review:` block.
- `audit`: `claims/audit.jsonl`, one JSON line per decision.
"""
