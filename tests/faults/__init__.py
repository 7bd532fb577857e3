"""The fault suite: the portal's real processes against a private Redis and a
private PostgreSQL cluster, broken one part at a time (issue 13, "A fault
suite that runs in CI"). Marker ``faults``; it runs in CI's PostgreSQL pass.
"""
