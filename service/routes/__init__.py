"""HTTP routes, one module per surface: health, ask/search, tasks, documents, chat, webhook, web."""
