-- description: Every citation with the kind, id and name of the fact it supports or contradicts, its text
--   and footnote.
-- columns:
--   id: Citation id (citations).
--   target_table: The table of the cited fact.
--   target_id: The id of the cited fact.
--   target: The name of the cited fact where it has one, else its id.
--   source: Title of the compiled text.
--   source_id: The compiled text (sources).
--   locator: Where in the text.
--   footnote_id: The footnote the sentence carries (footnotes).
--   footnote: The footnote's reference as printed.
--   stance: supports or contradicts.
--   note: What a contradicting reading claims; qualifications.
SELECT
  c.id,
  c.target_table,
  c.target_id,
  coalesce(e.name, p.name, o.name, pl.name, c.membership_id, c.relation_id, c.participant_id) AS target,
  s.title AS source,
  c.source_id,
  c.locator,
  c.footnote_id,
  f.printed AS footnote,
  c.stance,
  c.note
FROM citations c
JOIN sources s ON s.id = c.source_id
LEFT JOIN footnotes f ON f.id = c.footnote_id
LEFT JOIN events e ON e.id = c.event_id
LEFT JOIN people p ON p.id = c.person_id
LEFT JOIN organizations o ON o.id = c.organization_id
LEFT JOIN places pl ON pl.id = c.place_id
