-- title: The works cited most
-- question: The works cited most
-- description: Works cited in the article's footnotes, ranked by how many footnotes cite them and how many
--   facts those footnotes support.
-- parameters: {}
select s.author, s.title, s.year, s.volume, count(distinct f.id) as footnotes, count(c.id) as facts, s.id
from sources s
join footnotes f on f.source_id = s.id
left join citations c on c.footnote_id = f.id
group by s.id
order by footnotes desc, facts desc
