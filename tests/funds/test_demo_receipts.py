"""The demo's receipts (issue 17 item 8): companies' credit codes are on their receipts and
the handler is the person who posted, never "system"."""
import sqlalchemy as sa

from charity.auth.models import User
from charity.funds.models import Receipt
from charity.orgs import uscc
from charity.people.models import Donor, DonorKind


def test_demo_receipts_name_real_handlers_and_company_codes(demo_committed_app):
    from charity.core.extensions import db

    with demo_committed_app.app_context():
        rows = db.session.execute(
            sa.select(Receipt, Donor, User).join(Donor, Donor.id == Receipt.donor_id)
            .join(User, User.id == Receipt.issued_by_id, isouter=True)).all()
        assert rows
        companies = [(r, d) for r, d, _u in rows if d.kind == DonorKind.ORGANIZATION]
        assert companies
        for receipt, donor in companies:
            assert uscc.is_valid(receipt.payer_code) and receipt.payer_code == donor.id_code
        for receipt, _donor, user in rows:
            assert user is not None, receipt.number
            assert receipt.handler == user.display_name != "system"
