"""Monthly and quarterly briefings (工作简报) as PDF and Excel, scheduled and archived."""
