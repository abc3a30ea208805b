"""Monitoring tables (filled by the demo/monitoring work)."""
