"""`make bench`: the product against the physical limit (raw COPY) and the naive approach, per stage."""
