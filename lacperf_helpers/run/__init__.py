"""Stage 7: running. Executes the notebooks in warm kernels, exports HTML and PDF, plans and runs
batches, writes index pages and fingerprints. Only the CLI sits above it."""
