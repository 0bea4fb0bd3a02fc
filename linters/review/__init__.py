"""Medical review of the claims registry: what needs a reviewer (status), and the approve/reject edit.

`status` classifies claims (pending, stale, expiring, expired, rejected, unused)
and is shared by `review list`, the `stale-approval` and `expired-claim` rules
and the site's registry page, so a claim is judged stale or expired in one place.
`edit` changes one claim's `review:` block in place and atomically; `audit`
appends the decision to `claims/audit.jsonl`.
"""
