-- title: The works cited most
-- question: The works cited most
-- description: Works cited in the article's footnotes, ranked by how many footnotes cite them and how many
--   facts those footnotes support.
-- parameters: {}
select author, title, year, volume, footnotes, facts, id
from cited_work_counts
order by footnotes desc, facts desc
