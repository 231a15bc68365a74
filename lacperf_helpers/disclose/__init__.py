"""Stage 5: disclosure control. Decides once which figures are hidden so that no count of 1 to 4
children can be read or worked out from everything published; makes the only `Published` views.

sums.py: every figure a month publishes and the sums a reader can form from them; solver.py: which are
hidden and why (primary, then secondary until every sum is safe); publishing.py: `Published` views of one
edition, and the CSVs written from them."""
