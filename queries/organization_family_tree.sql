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
origin(id) as (select resolve_id('organizations', :organization)),
-- The relations drawn. An arrow runs from other_organization to organization (the parent, the older party first),
-- except for merged_into, which runs from the organization into the one it merged into.
family as not materialized (
  select r.*, r.rowid as file_order, r.relation = 'merged_into' as arrow_from_organization
  from organization_relations r join organizations o on o.id = r.organization_id
  where r.relation in ('split_from', 'merged_into', 'successor_of', 'renamed_from', 'faction_of', 'entered')
     or (r.relation = 'founded_by' and o.classification in ('party', 'faction', 'party_wing', 'tendency'))
),
-- Each step follows the arrows through the index on the column at the near end.
descendants(id) as (
  select id from origin
  union select f.organization_id from descendants d join family f on f.other_organization_id = d.id where not f.arrow_from_organization
  union select f.other_organization_id from descendants d join family f on f.organization_id = d.id where f.arrow_from_organization
),
ancestors(id) as (
  select id from origin
  union select f.other_organization_id from ancestors d join family f on f.organization_id = d.id where not f.arrow_from_organization
  union select f.organization_id from ancestors d join family f on f.other_organization_id = d.id where f.arrow_from_organization
),
lineage(id) as (select id from descendants union select id from ancestors),
touching(file_order) as (
  select f.file_order from lineage l join family f on f.organization_id = l.id
  union select f.file_order from lineage l join family f on f.other_organization_id = l.id
),
drawn as not materialized (
  select f.start_date as date, a.name as organization, replace(f.relation, '_', ' ') as relation, b.name as other_organization,
         e.name as event, f.note, f.relation as relation_kind,
         coalesce(a.abbreviation, a.name) as organization_short, a.founding_date as organization_founded,
         a.classification as organization_classification,
         coalesce(b.abbreviation, b.name) as other_organization_short, b.founding_date as other_organization_founded,
         b.classification as other_organization_classification,
         case when f.arrow_from_organization then f.organization_id else f.other_organization_id end as earlier_id,
         case when f.arrow_from_organization then f.other_organization_id else f.organization_id end as later_id,
         f.organization_id, f.other_organization_id, f.event_id, f.id as relation_id, f.start_date_order, f.file_order
  from family f
  join organizations a on a.id = f.organization_id join organizations b on b.id = f.other_organization_id
  left join events e on e.id = f.event_id
),
-- A compound with its own ORDER BY is read as it comes out: every relation in date order through the date index,
-- or the lineage's few sorted; undated last, ties in file order.
ordered as (
  select * from drawn where :organization = ''
  union all
  select d.* from touching t join drawn d on d.file_order = t.file_order where :organization != ''
  order by start_date_order, organization, file_order
)
select date, organization, relation, other_organization, event, note, relation_kind,
       organization_short, organization_founded, organization_classification,
       other_organization_short, other_organization_founded, other_organization_classification,
       earlier_id, later_id, organization_id, other_organization_id, event_id, relation_id
from ordered
