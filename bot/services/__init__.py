"""Domain rules. Services take an AsyncSession and plain values and never import telegram."""
