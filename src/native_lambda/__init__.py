"""native-lambda runtime."""
