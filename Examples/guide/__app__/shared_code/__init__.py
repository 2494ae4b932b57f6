"""Code shared by the functions of this app."""
