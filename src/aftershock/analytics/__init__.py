"""analytics stage."""
