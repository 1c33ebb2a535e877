-- title: People who belonged to two organizations
-- question: Who was in both the POR and the MNR? (entryism)
-- description: People with memberships in both organizations (ids, names or abbreviations, e.g. por and MNR, to see who entered
--   the MNR), counting each organization's factions and wings (its parent_id children) as part of it.
-- parameters:
--   first: por
--   second: mnr
with first_family as (select id from organizations where id = (select resolve_id('organizations', :first))
                      union select id from organizations where parent_id = (select resolve_id('organizations', :first))),
     second_family as (select id from organizations where id = (select resolve_id('organizations', :second))
                       union select id from organizations where parent_id = (select resolve_id('organizations', :second)))
select p.name as person,
       group_concat(distinct a.organization_id || ' ' || a.role || coalesce(' ' || a.start_date, '') || coalesce('–' || a.end_date, '')) as in_first,
       group_concat(distinct b.organization_id || ' ' || b.role || coalesce(' ' || b.start_date, '') || coalesce('–' || b.end_date, '')) as in_second,
       p.id
from people p
join memberships a on a.person_id = p.id and a.organization_id in (select id from first_family)
join memberships b on b.person_id = p.id and b.organization_id in (select id from second_family)
group by p.id
order by p.name
