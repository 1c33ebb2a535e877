-- title: A person's network (diagram data)
-- question: Who is within two steps of Guillermo Lora, through shared organizations and events (any person)
-- description: The links the network (/network) draws around a person (id, e.g. guillermo-lora). Two people are
--   linked when they belonged to the same organization at overlapping times (memberships the texts do not date
--   overlap by assumption, marked "dates not given") or took part in the same event. One row per linked pair within
--   two steps (step 1 linked to the person, step 2 linked to someone at step 1), saying why — the shared
--   organizations and events. Links between two people both two steps out are left out.
-- parameters:
--   person: guillermo-lora
with
links as (
  select m1.person_id as a, m2.person_id as b, 'organization' as kind, o.id as via_id,
         o.name || case when (m1.start_date is null and m1.end_date is null) or (m2.start_date is null and m2.end_date is null)
                        then ' (dates not given)' else '' end as via
  from memberships m1
  join memberships m2 on m2.organization_id = m1.organization_id and m2.person_id != m1.person_id
  join organizations o on o.id = m1.organization_id
  where coalesce(m1.start_date_earliest, '0000-01-01') <= coalesce(m2.end_date_latest, '9999-12-31')
    and coalesce(m2.start_date_earliest, '0000-01-01') <= coalesce(m1.end_date_latest, '9999-12-31')
  union
  select p1.person_id, p2.person_id, 'event', e.id, e.name
  from event_participants p1
  join event_participants p2 on p2.event_id = p1.event_id and p2.person_id != p1.person_id
  join events e on e.id = p1.event_id
),
step1 as (select distinct b as id from links where a = (select resolve_id('people', :person))),
step2 as (select distinct l.b as id from links l join step1 s on s.id = l.a
          where l.b != (select resolve_id('people', :person)) and l.b not in (select id from step1)),
steps(id, step) as (select resolve_id('people', :person), 0 where (select resolve_id('people', :person)) is not null
                    union all select id, 1 from step1 union all select id, 2 from step2),
pairs as (
  select l.a, l.b, l.kind, l.via_id, min(l.via) as via
  from links l join steps sa on sa.id = l.a join steps sb on sb.id = l.b
  where l.a < l.b and min(sa.step, sb.step) <= 1
  group by l.a, l.b, l.kind, l.via_id
)
select pa.name as person, sa.step as person_step, pb.name as other_person, sb.step as other_person_step,
       group_concat(case when x.kind = 'organization' then x.via end, '; ') as shared_organizations,
       group_concat(case when x.kind = 'event' then x.via end, '; ') as shared_events,
       count(*) as links, x.a as person_id, x.b as other_person_id
from pairs x join steps sa on sa.id = x.a join steps sb on sb.id = x.b
join people pa on pa.id = x.a join people pb on pb.id = x.b
group by x.a, x.b
order by min(sa.step, sb.step), max(sa.step, sb.step), pa.name, pb.name
