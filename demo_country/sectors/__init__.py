"""The sector simulations the feeds are cut from, each with the story it tells (``story.py``):
``care``, ``case_management``, ``justice``, ``registration_health`` and ``services``.

A simulation shared by several feeds (the placement episodes, the case-management rollout, the
justice system, the live-birth estimates) is computed once per country (``Country.shared``); a
feed simulated on its own (e.g. the school census) is simulated by its feed module. Each sector
draws from its own random stream numbers (``country.rng(n)``), so adding a sector never changes
another's files: 1-99 the country itself, 100-199 care, 200-299 case management, 300-399 justice,
400-499 registration and health, 500-599 services; 900-999 the delivery messiness added to all of
them (``demo_country.messiness``).
"""
