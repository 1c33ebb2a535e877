-- description: Every split, merger, succession and renaming between organizations, and the split and merger
--   events, in date order (undated last). Computed once by the build; the query splits_and_mergers reads it.
-- materialize: true
-- columns:
--   date: When (EDTF), as the relation or event gives it.
--   kind: relation (organization_relations) or event (events).
--   what: The organizations and the change, or the event's name.
--   note: The relation's note or the event's summary.
--   id: The relation's or the event's id.
select * from (
select r.start_date as date, 'relation' as kind, a.name || ' ' || replace(r.relation, '_', ' ') || ' ' || b.name as what, r.note, r.id
from organization_relations r
join organizations a on a.id = r.organization_id join organizations b on b.id = r.other_organization_id
where r.relation in ('split_from', 'merged_into', 'successor_of', 'renamed_from')
union all
select e.start_date, 'event', e.name, e.summary, e.id from events e where e.classification in ('split', 'merger')
) order by date is null, date
