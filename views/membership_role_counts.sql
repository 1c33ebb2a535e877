-- description: How many memberships and offices each organization has, by role, most first. Computed once by
--   the build (it counts every membership); the chart query memberships_by_organization reads it.
-- materialize: true
-- columns:
--   organization_id: The organization (organizations).
--   organization: Its abbreviation, or its name where it has none.
--   role: The role (memberships.role).
--   memberships: How many memberships of the organization have that role.
select o.id as organization_id, coalesce(o.abbreviation, o.name) as organization, m.role, count(*) as memberships
from memberships m join organizations o on o.id = m.organization_id
group by o.id, m.role
order by memberships desc, organization
