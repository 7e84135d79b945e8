"""medcite: answers clinical questions with evidence, every sentence cited to its passage."""

__version__ = "0.1.0"
