"""The audit log: `models` (the append-only table), `services` (writing an entry),
`queries` (the auditor's filtered reading)."""
