-- title: Events on a time axis (timeline data)
-- question: Every event on a time axis, by kind (any years, organization or person)
-- description: The rows the timeline (/timeline) draws. Each event overlapping the years, with its EDTF dates, the
--   earliest and latest day they can mean, and its shape — day (one certain day), uncertain_day (one day marked ? or
--   ~), span (anything longer), undated (no date, listed under the axis whatever the years); uncertain is 1 for a
--   date marked ? ~ or X. Organization and person (ids, e.g. por,
--   guillermo-lora) keep the events they took part in, and for an organization the events that made its relations;
--   leave them empty for all.
-- parameters:
--   from_year: '1935'
--   to_year: '1990'
--   organization: ''
--   person: ''
with marks as (
  select id, start_date_earliest as earliest, coalesce(end_date_latest, start_date_latest) as latest,
         (start_date glob '*[?~X%]*' or coalesce(end_date, '') glob '*[?~X%]*') as uncertain
  from events
)
select e.start_date, e.end_date, e.name as event, e.classification, pl.name as place, m.earliest, m.latest,
       case when m.earliest is null then 'undated' when m.earliest != m.latest then 'span' when m.uncertain then 'uncertain_day' else 'day' end as shape,
       m.uncertain, e.id as event_id
from events e join marks m on m.id = e.id left join places pl on pl.id = e.place_id
where (m.earliest is null or ((:from_year = '' or m.latest >= printf('%04d-01-01', cast(:from_year as integer)))
                             and (:to_year = '' or m.earliest <= printf('%04d-12-31', cast(:to_year as integer)))))
  and (:organization = '' or e.id in (select event_id from event_participants where organization_id = (select resolve_id('organizations', :organization)))
       or e.id in (select event_id from organization_relations where (select resolve_id('organizations', :organization)) in (organization_id, other_organization_id)))
  and (:person = '' or e.id in (select event_id from event_participants where person_id = (select resolve_id('people', :person))))
order by m.earliest is null, m.earliest, e.id
