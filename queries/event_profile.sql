-- title: An event
-- description: 'One event (its id, e.g. cob-founding-1952, or its name): the people and organizations that took
--   part with their roles, the relations between organizations it brought about, and its citations. The event''s
--   page shows the same rows.'
-- page: events
-- parameters:
--   event: cob-founding-1952
with event as (select resolve_id('events', :event) as id)
select section, name, role, note, cited, link_table, link_id from (
  select 1 as part, 'Participants' as section, coalesce(p.name, o.name) as name, ep.role, ep.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'event_participants' and r.target_id = ep.id) as cited,
         case when ep.person_id is not null then 'people' else 'organizations' end as link_table,
         coalesce(ep.person_id, ep.organization_id) as link_id
  from event_participants ep
  left join people p on p.id = ep.person_id left join organizations o on o.id = ep.organization_id
  where ep.event_id in (select id from event)
  union all
  select 2, 'Relations it brought about', a.name || ' ' || replace(rel.relation, '_', ' ') || ' ' || b.name, null, rel.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'organization_relations' and r.target_id = rel.id),
         'organization_relations', rel.id
  from organization_relations rel
  join organizations a on a.id = rel.organization_id join organizations b on b.id = rel.other_organization_id
  where rel.event_id in (select id from event)
  union all
  select 3, 'Where the texts tell it', null, null, null, r.reference, null, null
  from citation_references r
  where r.target_table = 'events' and r.target_id in (select id from event)
)
order by part, name
