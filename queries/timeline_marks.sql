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
with
marks as not materialized (
  select e.id, e.start_date, e.end_date, e.name, e.classification, pl.name as place, e.start_date_order,
         e.start_date_earliest as earliest, coalesce(e.end_date_latest, e.start_date_latest) as latest,
         (e.start_date glob '*[?~X%]*' or coalesce(e.end_date, '') glob '*[?~X%]*') as uncertain
  from events e left join places pl on pl.id = e.place_id
),
person_events(id) as (select event_id from event_participants where person_id = (select resolve_id('people', :person))),
organization_events(id) as (
  select event_id from event_participants where organization_id = (select resolve_id('organizations', :organization))
  union select event_id from organization_relations where organization_id = (select resolve_id('organizations', :organization))
  union select event_id from organization_relations where other_organization_id = (select resolve_id('organizations', :organization))
),
-- A compound with its own ORDER BY is read as it comes out, each part in order: without a person or an
-- organization every event through the date index (no sort of them all); with one, its few events (the person's
-- when both are given; the conditions below keep those of both), sorted.
candidates as (
  select * from marks where :person = '' and :organization = ''
  union all
  select m.* from marks m where :person != '' and m.id in (select id from person_events)
  union all
  select m.* from marks m where :person = '' and :organization != '' and m.id in (select id from organization_events)
  order by start_date_order, id
)
select m.start_date, m.end_date, m.name as event, m.classification, m.place, m.earliest, m.latest,
       case when m.earliest is null then 'undated' when m.earliest != m.latest then 'span' when m.uncertain then 'uncertain_day' else 'day' end as shape,
       m.uncertain, m.id as event_id
from candidates m
where (m.earliest is null or ((:from_year = '' or m.latest >= printf('%04d-01-01', cast(:from_year as integer)))
                             and (:to_year = '' or m.earliest <= printf('%04d-12-31', cast(:to_year as integer)))))
  and (:organization = '' or m.id in (select id from organization_events))
  and (:person = '' or m.id in (select id from person_events))
