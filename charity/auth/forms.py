from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from charity.auth.services import MIN_PASSWORD_LENGTH
from charity.core.i18n import _l


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


from wtforms import SelectField, SelectMultipleField  # noqa: E402
from wtforms.validators import Optional  # noqa: E402
from wtforms.widgets import CheckboxInput, ListWidget  # noqa: E402


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


from charity.web.nav import ROLE_LABELS  # noqa: E402,F401


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

class LoginCodeForm(FlaskForm):
    code = StringField(_l("Code from the authenticator app"),
                       validators=[DataRequired(), Length(max=12)],
                       filters=[lambda v: "".join(v.split()) if v else v])


class TotpConfirmForm(LoginCodeForm):
    """The first code from the app, confirming the enrolment."""


class TotpDisableForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code from the authenticator app"),
                       validators=[DataRequired(), Length(max=12)],
                       filters=[lambda v: "".join(v.split()) if v else v])
