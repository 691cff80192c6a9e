"""Every write of customer grading goes through these services (permission, scope, audit)."""
