"""The annual work and financial report (年度工作报告和财务会计报告; Charity Law Art. 13,
MCA Order 81): its content from the ledgers (`content`), the spending and management-cost
thresholds as data with their source (`thresholds`), and the parts the organisation's
managers enter before the deadline (`models`, `services`)."""
