"""Complaints and reports (投诉举报): public intake with a tracking number, staff work orders."""
