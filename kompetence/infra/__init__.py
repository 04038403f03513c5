"""The infrastructure every app shares: the two tenancy walls (tenancy, scoping, rls),
e-mail, HTMX and HTTP helpers, the cache, background work, files in and out (tabular,
imports, downloads, bulk), health, and the registries apps plug into (extensions)."""
