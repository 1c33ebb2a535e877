-- description: The article's footnotes in order, with the work each cites and how many facts it supports.
-- columns:
--   number: Footnote number.
--   id: Footnote id (footnotes).
--   kind: reference, explanatory, mixed or missing.
--   author: Author of the cited work.
--   title: Title of the cited work.
--   year: Year of the cited work.
--   pages: Pages as printed.
--   printed: The reference as printed.
--   citations: Number of citations that carry this footnote.
--   source_id: The cited work (sources).
SELECT
  f.number,
  f.id,
  f.kind,
  s.author,
  s.title,
  s.year,
  f.pages,
  f.printed,
  (SELECT count(*) FROM citations c WHERE c.footnote_id = f.id) AS citations,
  f.source_id
FROM footnotes f
LEFT JOIN sources s ON s.id = f.source_id
ORDER BY f.number
