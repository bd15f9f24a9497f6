"""The public transparency log (issue 18): every publication as a leaf of an RFC 9162 Merkle
tree, Ed25519-signed tree heads, the /api/v1/log API and a monitor anyone can run.
See docs/decisions/0008-transparency-log.md."""
