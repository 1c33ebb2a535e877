-- title: A person's profile
-- question: "Guillermo Lora's profile: memberships, events, citations (any person)"
-- description: 'Everything about one person (the id, e.g. guillermo-lora, or a name in any spelling or script: Lora, Лора): memberships with dates,
--   events with roles, and where the texts name the person, each with its citations. The person''s page shows
--   the same rows.'
-- page: people
-- parameters:
--   person: guillermo-lora
with person as (select resolve_id('people', :person) as id)
select section, date, name, role, note, cited, link_table, link_id from (
  select 1 as part, 'Memberships' as section, m.start_date || coalesce(' – ' || m.end_date, '') as date,
         o.name, m.role, m.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'memberships' and r.target_id = m.id) as cited,
         'organizations' as link_table, m.organization_id as link_id, m.start_date_earliest as sort_date
  from memberships m join organizations o on o.id = m.organization_id
  where m.person_id in (select id from person)
  union all
  select 2, 'Events', e.start_date, e.name, ep.role, ep.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'event_participants' and r.target_id = ep.id),
         'events', e.id, e.start_date_earliest
  from event_participants ep join events e on e.id = ep.event_id
  where ep.person_id in (select id from person)
  union all
  select 3, 'Where the texts name the person', null, null, null, null, r.reference, null, null, null
  from citation_references r
  where r.target_table = 'people' and r.target_id in (select id from person)
)
order by part, sort_date is null, sort_date, name
