-- title: Events per year
-- description: How many events the dataset holds for each year (chart).
-- parameters: {}
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=events&g.y_type=quantitative
select year, events from event_year_counts order by year
