"""Stage 4: rating. Each figure against its target and floor (Red, Amber, Green), month-on-month
direction, figures over periods (quarter, year to date, rolling 12 months) and benchmarks."""
