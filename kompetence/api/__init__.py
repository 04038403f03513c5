"""The read-only API for BI tools (Power BI and the like): organisation, catalogue and
k-anonymous aggregates, for a kommune's own API tokens (see docs/security.md)."""
