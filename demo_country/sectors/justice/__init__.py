"""Justice for children: arrests, decisions and detention (``simulation``), the police registers
of trafficking victims and abuse reports, and the story they follow (``story``). Random streams
300-399: 300 the justice system, 301 trafficking victims, 302 abuse reports, 310-314 the
delivered attributes (names, notes, codes) of each feed."""
