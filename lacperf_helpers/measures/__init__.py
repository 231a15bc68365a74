"""Stage 3: figures. The registry of SSDA903 measures (one small function per DfE definition) and the
month's figures of every KPI, from the return or measured from the extract, by cohort and breakdown."""
