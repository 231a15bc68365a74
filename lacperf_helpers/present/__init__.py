"""Stage 6: presentation. Gathers one page's publishable view (`appendix`, `quarterly`) and lays it out:
sentences, tables, charts and the HTML sections the notebooks display; the analysts' explorer."""
