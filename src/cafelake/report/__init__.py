"""Analyses: the HTML report and PNG charts drawn from the Athena views (local or cloud)."""

from cafelake.report.html import build_report, render_report

__all__ = ["build_report", "render_report"]
