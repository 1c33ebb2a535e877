-- title: An organization's history
-- question: "The COB's history: events, members, relations (any organization)"
-- description: 'One organization (its id, name or abbreviation: cob, POR, POR-Masas): its events, its members and
--   office-holders by period, its relations to other organizations in both directions, its factions and parts,
--   and where the texts name it, each with its citations. The organization''s page shows the same rows.'
-- page: organizations
-- parameters:
--   organization: cob
with organization as (
  select id from organizations
  where id = (select resolve_id('organizations', :organization))
)
select section, date, name, role, note, cited, link_table, link_id from (
  select 1 as part, 'Events' as section, e.start_date as date, e.name, ep.role, ep.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'event_participants' and r.target_id = ep.id) as cited,
         'events' as link_table, e.id as link_id, e.start_date_earliest as sort_date
  from event_participants ep join events e on e.id = ep.event_id
  where ep.organization_id in (select id from organization)
  union all
  select 2, 'Members and office-holders', m.start_date || coalesce(' – ' || m.end_date, ''), p.name, m.role, m.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'memberships' and r.target_id = m.id),
         'people', p.id, m.start_date_earliest
  from memberships m join people p on p.id = m.person_id
  where m.organization_id in (select id from organization)
  union all
  select 3, 'Relations', rel.start_date || coalesce(' – ' || rel.end_date, ''), o.name,
         replace(rel.relation, '_', ' '), rel.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'organization_relations' and r.target_id = rel.id),
         'organizations', o.id, rel.start_date_earliest
  from organization_relations rel join organizations o on o.id = rel.other_organization_id
  where rel.organization_id in (select id from organization)
  union all
  select 3, 'Relations', rel.start_date || coalesce(' – ' || rel.end_date, ''), o.name,
         '(' || replace(rel.relation, '_', ' ') || ' this)', rel.note,
         (select group_concat(r.reference, '; ') from citation_references r
           where r.target_table = 'organization_relations' and r.target_id = rel.id),
         'organizations', o.id, rel.start_date_earliest
  from organization_relations rel join organizations o on o.id = rel.organization_id
  where rel.other_organization_id in (select id from organization)
  union all
  select 4, 'Factions and parts', o.founding_date, o.name, replace(o.classification, '_', ' '), null, null,
         'organizations', o.id, o.founding_date_earliest
  from organizations o where o.parent_id in (select id from organization)
  union all
  select 5, 'Where the texts name it', null, null, null, null, r.reference, null, null, null
  from citation_references r
  where r.target_table = 'organizations' and r.target_id in (select id from organization)
)
order by part, sort_date is null, sort_date, name
