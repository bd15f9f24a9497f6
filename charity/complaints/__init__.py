"""Complaints and reports (投诉举报): public intake with a tracking number, staff work orders.

`rules` (steps, deadlines, tracking numbers), `models`, `services` (submit, record, the
steps), `categories` (configuring them, with their 12345 time limits), `queries` (who sees
what, lists, lookups), `stats` (public monthly figures), `timeline`, `formstamp`,
`attachments`, `forms` and `views/`. The 12345 standard: `workdays` (working-day arithmetic,
pure), `calendar` (the holidays and make-up days an administrator enters), `followup`
(extensions, call-back, reopening once) and `rates` (on-time, call-back and satisfaction
rates; `rates.organization_rates` for the transparency score)."""
