"""Closed lists of choices, each kept as one typed table: the codes stored, the words people read
(marked for the catalogues, translated when shown) and the rules that go with each choice."""
