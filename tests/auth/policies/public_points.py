from tests.auth.policies.common import PUBLIC

# The matrix's world has an active point (`point_id`), which these pages show to everyone.
POLICY = {
    "public_points.point_list": PUBLIC,
    "public_points.point_view": PUBLIC,
    "display.point_screen": PUBLIC,  # the in-store screen: counts and sums only
}
