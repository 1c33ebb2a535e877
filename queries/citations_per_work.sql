-- title: Citations per cited work
-- description: How many facts each work cited in the footnotes supports (chart).
-- parameters: {}
-- fragment: g.mark=bar&g.x_column=work&g.x_type=nominal&g.y_column=citations&g.y_type=quantitative
select work, facts as citations
from cited_work_counts where facts > 0
order by citations desc, work
