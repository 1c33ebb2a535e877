-- title: A place
-- description: 'One place (its id, e.g. pulacayo, or its name): the events that happened there, in date order.
--   The place''s page shows the same rows.'
-- page: places
-- parameters:
--   place: pulacayo
select 'Events here' as section, e.start_date as date, e.name, replace(e.classification, '_', ' ') as kind,
       'events' as link_table, e.id as link_id
from events e
where e.place_id = (select resolve_id('places', :place))
order by e.start_date_earliest is null, e.start_date_earliest
