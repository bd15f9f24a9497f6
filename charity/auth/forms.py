"""Forms of the accounts screens: signing in (password, code), one's own password and
two-factor sign-in, the admin's account form; and the checkbox list other features reuse."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from charity.auth.services import MIN_PASSWORD_LENGTH
from charity.core.i18n import _l
from charity.core.roles import Role


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)],
                           filters=[lambda v: v.strip().lower() if v else v])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)],
                               filters=[lambda v: v.strip() if v else v])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organization_id = SelectField(_l("Organisation"), coerce=lambda v: int(v) if v else None,
                                  validators=[Optional()])
    point_ids = MultiCheckboxField(_l("Charity points served"), coerce=int,
                                   validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """A volunteer works at charity points: one saved without any would only ever see
        "you serve no open charity point"."""
        valid = super().validate(extra_validators)
        if self.role.data == Role.VOLUNTEER.value and not self.point_ids.data:
            self.point_ids.errors.append(
                _l("Choose a charity point."))
            return False
        return valid


class UserCreateForm(UserForm):
    password = PasswordField(_l("Initial password"),
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
                             description=_l("At least 10 characters. The user must change it at "
                                            "first sign-in."))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(),
                                             Length(min=MIN_PASSWORD_LENGTH, max=200)])


# --- two-factor sign-in ----------------------------------------------------------------------

def _no_spaces(value):
    """Authenticator apps show codes as "123 456"."""
    return "".join(value.split()) if value else value


class LoginCodeForm(FlaskForm):
    code = StringField(_l("Code from the authenticator app"),
                       validators=[DataRequired(), Length(max=12)],
                       filters=[_no_spaces])


class TotpConfirmForm(LoginCodeForm):
    """The first code from the app, confirming the enrolment."""


class TotpDisableForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code from the authenticator app"),
                       validators=[DataRequired(), Length(max=12)],
                       filters=[_no_spaces])
