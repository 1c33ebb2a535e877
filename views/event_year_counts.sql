-- description: How many events the dataset holds for each year. Computed once by the build; the chart query
--   events_per_year reads it.
-- materialize: true
-- columns:
--   year: A year (events.start_year).
--   events: How many events start in it.
select start_year as year, count(*) as events
from events where start_year is not null
group by start_year
order by start_year
