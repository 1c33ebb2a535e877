-- title: Memberships by organization and role
-- description: How many memberships and offices each organization has, by role (chart).
-- parameters: {}
-- fragment: g.mark=bar&g.x_column=organization&g.x_type=nominal&g.y_column=memberships&g.y_type=quantitative&g.color_column=role
select coalesce(o.abbreviation, o.name) as organization, m.role, count(*) as memberships
from memberships m join organizations o on o.id = m.organization_id
group by o.id, m.role
order by memberships desc, organization
