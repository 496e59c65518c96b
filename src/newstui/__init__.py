"""newstui: a terminal news browser. Importing the package must not import Textual."""

__version__ = "0.1.0"
