-- title: Splits, mergers, successions and renamings in order
-- question: Every split and merger in order
-- description: Every split, merger, succession and renaming between organizations, with the split and merger
--   events, in date order.
-- parameters: {}
select * from (
select r.start_date as date, 'relation' as kind, a.name || ' ' || replace(r.relation, '_', ' ') || ' ' || b.name as what, r.note, r.id
from organization_relations r
join organizations a on a.id = r.organization_id join organizations b on b.id = r.other_organization_id
where r.relation in ('split_from', 'merged_into', 'successor_of', 'renamed_from')
union all
select e.start_date, 'event', e.name, e.summary, e.id from events e where e.classification in ('split', 'merger')
) order by date is null, date
