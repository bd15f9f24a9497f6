"""Forms of the staff compliance screens: the progress narrative, the managers' parts of an
annual report."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length

from charity.core.i18n import _l
from charity.web.forms import PostingForm, strip


class NarrativeForm(FlaskForm):
    text = TextAreaField(validators=[Length(max=5000)])



class AnnualStatementForm(PostingForm):
    """The managers' parts of an annual report (charity.disclosure.annual.statement)."""
    staff_pay = TextAreaField(_l("Staff pay and benefits"), validators=[Length(max=4000)],
                              filters=[strip],
                              description=_l("Number of staff, total pay, social insurance "
                                             "and benefits; the pay of the leaders."))
    overseas_cooperation = TextAreaField(
        _l("Cooperation with overseas organisations or individuals"),
        validators=[Length(max=4000)], filters=[strip],
        description=_l("Partner, content and amount of each cooperation; write “无” if none."))
    asset_changes = TextAreaField(_l("Major asset changes"), validators=[Length(max=4000)],
                                  filters=[strip])
    related_parties = TextAreaField(_l("Related-party transactions"),
                                    validators=[Length(max=4000)], filters=[strip])
    audit_report = FileField(_l("Audit report"),
                             description=_l("The auditor's report on the year's financial "
                                            "statements, as a PDF file."))
