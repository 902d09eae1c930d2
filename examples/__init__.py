"""Example functions for native-lambda."""
