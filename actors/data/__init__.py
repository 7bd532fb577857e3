"""Data files of the actors app, and the scripts that make them."""
