from tests.auth.policies.common import ADMIN, MANAGERS, PUBLIC, STAFF

POLICY = {
    "auth.login_code": PUBLIC,
    "auth.account": STAFF,
    "auth.sign_out_all": STAFF,
    "auth.totp_start": MANAGERS,
    "auth.totp_confirm": MANAGERS,
    "auth.totp_disable": STAFF,
    "users.user_2fa": ADMIN,
}
