"""Stage 5: disclosure control. Decides once which figures are hidden so that no count of 1 to 4
children can be read or worked out from everything published; makes the only `Published` views."""
