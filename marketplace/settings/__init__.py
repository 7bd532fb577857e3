"""Settings package: base (shared), development (default), test, production."""
