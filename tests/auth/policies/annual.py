from tests.auth.policies.common import MANAGERS, READERS

# The URL's obligation_id is the compliance policy's (a project report): allowed roles get
# 404 there (not an annual report), the others 403. tests/disclosure/test_annual_statement.py
# opens the pages on an annual report.
POLICY = {
    "annual_statement.statement_edit": MANAGERS,
    "annual_statement.audit_report": READERS,
}
