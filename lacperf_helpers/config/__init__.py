"""Stage 1, at the bottom: configuration and vocabulary. The KPI definitions and settings as checked
values, the vocabulary every stage shares (cohorts, breakdowns, periods, how figures are written), and
the file utilities under everything (where files are, atomic writes, the signed disk cache, logging).
Imports nothing else of lacperf's."""
