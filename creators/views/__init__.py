"""The creator side's pages, by subject: profile, projects (shots, shortlists), roster."""
