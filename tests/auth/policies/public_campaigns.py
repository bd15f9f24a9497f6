"""The public campaign and project pages: anyone, signed in or not. The URL arguments come
from tests/auth/policies/campaigns.py (a running campaign; its project is a draft, which
answers 404 here — drafts are never public)."""
from tests.auth.policies.common import PUBLIC

POLICY = {
    "public_campaigns.campaign_list": PUBLIC,
    "public_campaigns.campaign_view": PUBLIC,
    "public_campaigns.project_view": PUBLIC,
}
