"""Cleaning: raw lines as read → the author's lines, without site junk.

Nothing of real content is dropped: rules remove whole lines only when they
are site boilerplate (indexer/data/boilerplate.txt), and line repairs join
pieces a page break or hard wrap cut apart, never drop them.
"""

from indexer.cleaning.boilerplate import BoilerplateRules, load_rules
from indexer.cleaning.lines import CleanLine, clean_lines

__all__ = ["BoilerplateRules", "CleanLine", "clean_lines", "load_rules"]
