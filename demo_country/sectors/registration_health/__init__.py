"""Registration and health: live-birth estimates (``simulation``) and the story of birth
registration, violence treated in health facilities, adolescent births and household surveys
(``story``). Random streams 401-406: 401 live-birth estimates, 402 birth registrations, 404 health
facility reports, 406 household surveys."""
