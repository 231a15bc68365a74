"""The month: a month's inputs read, checked and rated once, its one disclosure decision, and each edition's
figures, from which every page, index and CSV of the month and its quarter is made."""
