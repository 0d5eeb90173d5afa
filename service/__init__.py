"""Stage 4: HTTP service, web page, chat integrations and the command line."""
