-- title: Timeline of events by kind
-- description: Each event as a point by year and kind, 1935 to 1988 (chart).
-- parameters: {}
-- fragment: g.mark=circle&g.x_column=year&g.x_type=quantitative&g.y_column=classification&g.y_type=nominal
select e.start_year as year, e.classification, e.name, e.start_date
from events e where e.start_year is not null
order by e.start_date_earliest
