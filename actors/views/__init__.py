"""The actor's own pages, by subject; ``access.actor_required`` guards them."""
