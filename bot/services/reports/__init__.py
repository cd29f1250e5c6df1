"""A period's KPIs made into what a manager reads: the summary, the chart, the workbook."""
