-- title: Events on a map
-- description: Every event with a known place, at that place's coordinates (map).
-- parameters: {}
select e.start_date, e.name, e.classification, pl.name as place, pl.latitude, pl.longitude, e.id
from events e join places pl on pl.id = e.place_id
where pl.latitude is not null
order by e.start_date_earliest
