"""Subcommands that live outside cli.py (which only registers them)."""
