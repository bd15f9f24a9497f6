from tests.auth.policies.common import PUBLIC

POLICY = {
    "trace.trace": PUBLIC,
}
