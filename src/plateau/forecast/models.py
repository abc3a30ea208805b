"""Forecasting tables (filled by the demo/forecast work)."""
