"""Old address of the campaign and project services, now charity.funds.services.campaigns.

Kept only for the packages outside the money feature that still import from here (demo,
transparency and their tests); new code imports charity.funds.services.campaigns.
Delete this file once those imports have moved.
"""
from charity.funds.services.campaigns import (REQUIRED_FOR_ACTIVATION, activate_campaign,
                                              activate_project, close_project,
                                              create_campaign, create_project, end_campaign,
                                              extend_campaign, update_campaign, update_project)

__all__ = ["REQUIRED_FOR_ACTIVATION", "activate_campaign", "activate_project", "close_project",
           "create_campaign", "create_project", "end_campaign", "extend_campaign",
           "update_campaign", "update_project"]
