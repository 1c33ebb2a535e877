-- title: Timeline between two years
-- question: What happened in 1952–53? (any two years, any kind of event)
-- description: Every event that began between two years (inclusive), in date order; leave classification
--   empty for all kinds (congress, split, uprising, decree…).
-- parameters:
--   classification: ''
--   from_year: '1952'
--   to_year: '1953'
select e.start_date, e.end_date, e.name, e.classification, pl.name as place, e.summary, e.id
from events e left join places pl on pl.id = e.place_id
where cast(substr(e.start_date_earliest, 1, 4) as integer) between cast(:from_year as integer) and cast(:to_year as integer)
  and (:classification = '' or e.classification = :classification)
order by e.start_date_earliest, e.id
