"""Background jobs: one persisted queue shared by every domain (decision 0005)."""
