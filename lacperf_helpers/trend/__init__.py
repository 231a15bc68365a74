"""Stage 4 (beside rating): trend and SPC over each KPI's months: the trend test, the run since when, and
statistical process control in the NHS Making Data Count way."""
