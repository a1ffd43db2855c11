"""refcheck's built-in rule families.  Each module is a pluggy plugin, registered
through the ``refcheck`` entry-point group exactly like a third-party package."""
