-- title: What each footnote supports
-- question: What each footnote supports
-- description: The article's footnotes in order, with the work each cites and the facts (table and id) whose
--   sentences carry it.
-- parameters: {}
select f.number, f.kind, coalesce(s.author || ', ', '') || coalesce(s.title, '') as work, f.pages,
       count(c.id) as facts, group_concat(c.target_table || ': ' || c.target_id, '; ') as supports
from footnotes f
left join sources s on s.id = f.source_id
left join citations c on c.footnote_id = f.id
group by f.id
order by f.number
