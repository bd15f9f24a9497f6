"""The volunteer time bank (志愿服务时间银行) and the one 爱心积分 points ledger: volunteers earn
points for approved hours, spend them at the counter or give them to a household; points
expire. See docs/decisions/0026-points-ledger.md."""
