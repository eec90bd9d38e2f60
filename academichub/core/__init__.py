"""Pure logic: parsing, normalisation, ranking. Nothing here imports Django."""
