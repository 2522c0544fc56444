"""Publish stage: `output/` to S3-compatible storage, safely.

Takes: a built `output/` (its manifest) and a `PublishTarget` (bucket, prefix, endpoint).
Gives: content-addressed objects, `manifests/<build-id>.json`, `manifest.json` and the page —
switched last — and a `PublishResult`; never a live page that links to a missing object.

Modules: `plan` (pure diff local vs remote with a reason per file), `s3` (boto3 client,
retries, timeouts, error wording, log redaction), `lock` (conditional-put lease), `protocol`
(`publish_project`: plan → upload → barrier → verify → switch → prune).
"""
