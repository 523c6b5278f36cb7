"""Services: the school census (moe), labour inspections (labour) and the cash transfer register
(mosa), for SS01 and SS06-SS08; the story they follow is in ``story``. Each is simulated by its own
feed module (``demo_country.feeds``). Random streams 500-599: 500 schools, 510 labour inspections,
511 labour office reports, 520 cash transfers."""
