-- title: A person's network (diagram data)
-- question: Who is within two steps of Guillermo Lora, through shared organizations and events (any person)
-- description: The links the network (/network) draws around a person (id, e.g. guillermo-lora). Two people are
--   linked when they belonged to the same organization at overlapping times (memberships the texts do not date
--   overlap by assumption, marked "dates not given") or took part in the same event. One row per linked pair within
--   two steps (step 1 linked to the person, step 2 linked to someone at step 1), saying why — the shared
--   organizations and events. Links between two people both two steps out are left out.
-- parameters:
--   person: guillermo-lora
with recursive
-- Walks out from the person: each person at step 0 or 1 brings every link of theirs (step + 1 at the other end),
-- through the indexes on person_id, organization_id and event_id, never pairing everyone with everyone.
walk(a, b, kind, via_id, via, step) as (
  select null, resolve_id('people', :person), null, null, null, 0
  union
  select w.b, m2.person_id, 'organization', o.id,
         o.name || case when (m1.start_date is null and m1.end_date is null) or (m2.start_date is null and m2.end_date is null)
                        then ' (dates not given)' else '' end, w.step + 1
  from walk w
  join memberships m1 on m1.person_id = w.b
  join memberships m2 on m2.organization_id = m1.organization_id and m2.person_id != m1.person_id
  join organizations o on o.id = m1.organization_id
  where w.step < 2
    and coalesce(m1.start_date_earliest, '0000-01-01') <= coalesce(m2.end_date_latest, '9999-12-31')
    and coalesce(m2.start_date_earliest, '0000-01-01') <= coalesce(m1.end_date_latest, '9999-12-31')
  union
  select w.b, p2.person_id, 'event', e.id, e.name, w.step + 1
  from walk w
  join event_participants p1 on p1.person_id = w.b
  join event_participants p2 on p2.event_id = p1.event_id and p2.person_id != p1.person_id
  join events e on e.id = p1.event_id
  where w.step < 2
),
steps(id, step) as (select b, min(step) from walk where b is not null group by b),
-- Every link with an end at step 0 or 1 came out of the walk from that end; each pair once, a before b.
pairs as (
  select min(l.a, l.b) as a, max(l.a, l.b) as b, l.kind, l.via_id, min(l.via) as via
  from walk l where l.a is not null
  group by min(l.a, l.b), max(l.a, l.b), l.kind, l.via_id
)
select pa.name as person, sa.step as person_step, pb.name as other_person, sb.step as other_person_step,
       (select group_concat(via, '; ') from (select via from pairs p where p.a = x.a and p.b = x.b and p.kind = 'organization' order by via))
         as shared_organizations,
       (select group_concat(via, '; ') from (select via from pairs p where p.a = x.a and p.b = x.b and p.kind = 'event' order by via))
         as shared_events,
       x.links, x.a as person_id, x.b as other_person_id
from (select a, b, count(*) as links from pairs group by a, b) x join steps sa on sa.id = x.a join steps sb on sb.id = x.b
join people pa on pa.id = x.a join people pb on pb.id = x.b
order by min(sa.step, sb.step), max(sa.step, sb.step), pa.name, pb.name
