"""Demo data for ``seed_demo``: portraits and profiles (``actors``), projects,
requests and contracts (``requests``), moderation work (``moderation``)."""
