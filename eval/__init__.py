"""Offline relevance evaluation: judged questions -> metrics and reports."""
