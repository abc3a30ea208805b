"""Indicators and targets: the indicator engine, trajectories, projections, warnings, dashboards.

Other packages call ``plateau.monitoring.analytics.service`` only.
"""
