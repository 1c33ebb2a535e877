-- title: Memberships by organization and role
-- description: How many memberships and offices each organization has, by role (chart).
-- parameters: {}
-- fragment: g.mark=bar&g.x_column=organization&g.x_type=nominal&g.y_column=memberships&g.y_type=quantitative&g.color_column=role
select organization, role, memberships
from membership_role_counts
order by rowid
