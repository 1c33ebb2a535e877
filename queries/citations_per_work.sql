-- title: Citations per cited work
-- description: How many facts each work cited in the footnotes supports (chart).
-- parameters: {}
-- fragment: g.mark=bar&g.x_column=work&g.x_type=nominal&g.y_column=citations&g.y_type=quantitative
select coalesce(s.author, '') || ' ' || coalesce(s.year, '') || coalesce(' T. ' || s.volume, '') as work, count(c.id) as citations
from citations c join footnotes f on f.id = c.footnote_id join sources s on s.id = f.source_id
group by s.id order by citations desc
