-- title: Family tree of organizations (diagram data)
-- question: The family tree of the POR's splits, factions and successors (or of the whole movement)
-- description: The relations the family tree (/family-tree) draws — splits, mergers, successions, renamings,
--   factions, entries and parties founded by a faction — each as "organization relation other_organization", with
--   its date and the event that made it. earlier_id and later_id give the arrow's time order (the parent, or the
--   older party an organization entered, first). With an organization (id, e.g. por), its lineage, the relations
--   that touch any of its ancestors and descendants; empty for the whole movement.
-- parameters:
--   organization: por
with recursive
family as (
  select r.* from organization_relations r join organizations o on o.id = r.organization_id
  where r.relation in ('split_from', 'merged_into', 'successor_of', 'renamed_from', 'faction_of', 'entered')
     or (r.relation = 'founded_by' and o.classification in ('party', 'faction', 'party_wing', 'tendency'))
),
arrows as (
  select id, case when relation = 'merged_into' then organization_id else other_organization_id end as earlier_id,
         case when relation = 'merged_into' then other_organization_id else organization_id end as later_id
  from family
),
descendants(id) as (select resolve_id('organizations', :organization) union select a.later_id from arrows a join descendants d on a.earlier_id = d.id),
ancestors(id) as (select resolve_id('organizations', :organization) union select a.earlier_id from arrows a join ancestors d on a.later_id = d.id),
lineage(id) as (select id from descendants union select id from ancestors)
select f.start_date as date, a.name as organization, replace(f.relation, '_', ' ') as relation, b.name as other_organization,
       e.name as event, f.note, f.relation as relation_kind,
       coalesce(a.abbreviation, a.name) as organization_short, a.founding_date as organization_founded,
       a.classification as organization_classification,
       coalesce(b.abbreviation, b.name) as other_organization_short, b.founding_date as other_organization_founded,
       b.classification as other_organization_classification,
       w.earlier_id, w.later_id, f.organization_id, f.other_organization_id, f.event_id, f.id as relation_id
from family f join arrows w on w.id = f.id
join organizations a on a.id = f.organization_id join organizations b on b.id = f.other_organization_id
left join events e on e.id = f.event_id
where :organization = '' or f.organization_id in (select id from lineage) or f.other_organization_id in (select id from lineage)
order by f.start_date_earliest is null, f.start_date_earliest, a.name
