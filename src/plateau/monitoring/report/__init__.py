"""The mid-term evaluation report (中期评估报告): HTML, PDF and Excel from the indicator engine."""
