"""Keeping the project safe: restoring backups, the health check, and cloud-sync warnings."""
