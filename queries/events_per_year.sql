-- title: Events per year
-- description: How many events the dataset holds for each year (chart).
-- parameters: {}
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=events&g.y_type=quantitative
select start_year as year, count(*) as events
from events where start_year is not null
group by start_year order by start_year
