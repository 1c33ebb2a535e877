-- title: Timeline of events by kind
-- description: Each event dated to a year, a month or a day, as a point on a date axis (its first day) by kind (chart).
-- parameters: {}
-- fragment: g.mark=circle&g.x_column=date&g.x_type=temporal&g.y_column=classification&g.y_type=nominal
select e.start_date_earliest as date, e.classification, e.name, e.start_date
from events e where e.start_year is not null
order by e.start_date_earliest
