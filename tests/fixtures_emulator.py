"""Emulator fixtures shared by all test folders (filled in with the emulator)."""
