"""Stage 3: question -> cited answers with units and deadlines."""
