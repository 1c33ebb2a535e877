-- title: Lineage of an organization
-- question: "The POR's lineage: every faction, split and successor"
-- description: Every ancestor and descendant of an organization (its id, name or abbreviation, e.g. por) through splits, successions,
--   renamings, factions, mergers and parties founded by a faction, found by a recursive query. Each organization
--   appears once, by its shortest path; depth 1 is a direct link.
-- parameters:
--   organization: por
with recursive
-- the organization asked for, once: both walks start from it
origin as (
  select id, 0, null, null, null, '/' || id || '/' from (select resolve_id('organizations', :organization) as id) where id is not null
),
descendants(id, depth, relation, via, start_date, path) as (
  select * from origin
  union
  select r.organization_id, d.depth + 1, r.relation, d.id, r.start_date, d.path || r.organization_id || '/'
  from descendants d
  join organization_relations r on r.other_organization_id = d.id
  join organizations o on o.id = r.organization_id
  where (r.relation in ('split_from', 'successor_of', 'renamed_from', 'faction_of')
         or (r.relation = 'founded_by' and o.classification in ('party', 'faction', 'party_wing', 'tendency')))
    and instr(d.path, '/' || r.organization_id || '/') = 0 and d.depth < 12
  union
  select r.other_organization_id, d.depth + 1, r.relation, d.id, r.start_date, d.path || r.other_organization_id || '/'
  from descendants d join organization_relations r on r.organization_id = d.id
  where r.relation = 'merged_into' and instr(d.path, '/' || r.other_organization_id || '/') = 0 and d.depth < 12
),
ancestors(id, depth, relation, via, start_date, path) as (
  select * from origin
  union
  select r.other_organization_id, a.depth + 1, r.relation, a.id, r.start_date, a.path || r.other_organization_id || '/'
  from ancestors a
  join organization_relations r on r.organization_id = a.id
  join organizations o on o.id = a.id
  where (r.relation in ('split_from', 'successor_of', 'renamed_from', 'faction_of')
         or (r.relation = 'founded_by' and o.classification in ('party', 'faction', 'party_wing', 'tendency')))
    and instr(a.path, '/' || r.other_organization_id || '/') = 0 and a.depth < 12
  union
  select r.organization_id, a.depth + 1, r.relation, a.id, r.start_date, a.path || r.organization_id || '/'
  from ancestors a join organization_relations r on r.other_organization_id = a.id
  where r.relation = 'merged_into' and instr(a.path, '/' || r.organization_id || '/') = 0 and a.depth < 12
)
select 'descendant' as direction, min(d.depth) as depth, d.id, o.name, d.relation, v.name as of_organization, d.start_date
from descendants d join organizations o on o.id = d.id join organizations v on v.id = d.via
where d.depth > 0
group by d.id
union all
select 'ancestor', min(a.depth), a.id, o.name, a.relation, v.name, a.start_date
from ancestors a join organizations o on o.id = a.id join organizations v on v.id = a.via
where a.depth > 0
group by a.id
order by direction, depth, start_date
