"""Care: the register of residential care institutions (``institutions``), the children in formal
care and their placement episodes (``placements``, ``episodes``), and the care-reform story they
follow (``story``). Random streams 4-7 (the country's institutions and placements) and 100-199
(the care feeds beyond placements)."""
