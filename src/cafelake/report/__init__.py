"""Analyses: the HTML report and PNG charts drawn from the Athena views (local or cloud)."""

from cafelake.report.html import render_report

__all__ = ["render_report"]
