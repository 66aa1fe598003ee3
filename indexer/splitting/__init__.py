"""Splitting: cleaned lines → articles → sections and paragraphs."""

from indexer.splitting.articles import ArticleDraft, split_articles
from indexer.splitting.inline import split_inline
from indexer.splitting.sections import ParagraphDraft, split_paragraphs

__all__ = ["ArticleDraft", "ParagraphDraft", "split_articles", "split_inline", "split_paragraphs"]
