"""Progress reports (``cpmonitor report``): a donor or planner report of one period, as PDF
(typst) or as one self-contained HTML file, built from a published warehouse as that audience may
read it. ``model``: what a report holds; ``content``: filling it from the warehouse; ``pdf`` and
``html``: drawing it.
"""
