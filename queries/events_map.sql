-- title: Events on a map
-- description: Every event the texts tie to a named place, at that place's coordinates. Most events (congresses,
--   splits, publications, elections) are not placed by the texts at any town or mine, so they are not on the map;
--   the events table filtered on "place_id is null" lists them.
-- parameters: {}
select e.start_date, e.name, e.classification, pl.name as place, pl.latitude, pl.longitude, e.id
from events e join places pl on pl.id = e.place_id
where pl.latitude is not null
order by e.start_date_earliest
