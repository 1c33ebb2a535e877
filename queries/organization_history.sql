-- title: An organization's history
-- question: "The COB's history: events, members, relations (any organization)"
-- description: 'One organization (id, e.g. por, cob, por-masas): the events it took part in, its members
--   and office-holders by period, and its relations to other organizations in both directions.'
-- parameters:
--   organization: cob
select 'event' as kind, e.start_date as date, e.name as what, ep.role as role_or_relation, e.id as ref
from event_participants ep join events e on e.id = ep.event_id
where ep.organization_id = :organization
union all
select 'member', m.start_date || coalesce(' – ' || m.end_date, ''), p.name, m.role, m.id
from memberships m join people p on p.id = m.person_id
where m.organization_id = :organization
union all
select 'relation', r.start_date, o.name, r.relation, r.id
from organization_relations r join organizations o on o.id = r.other_organization_id
where r.organization_id = :organization
union all
select 'relation', r.start_date, o.name, r.relation || ' (inverse: ' || o.name || ' is the subject)', r.id
from organization_relations r join organizations o on o.id = r.organization_id
where r.other_organization_id = :organization
order by kind, date
