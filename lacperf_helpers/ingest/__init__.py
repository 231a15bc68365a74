"""Stage 2: read and check the inputs (the monthly KPI return, the SSDA903 extract), naming file, row
and column for every problem; and describe them (the manifest). Computes no measure."""
