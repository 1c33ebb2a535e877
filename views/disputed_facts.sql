-- description: Every place where the texts disagree, with the other reading and the citations that support
--   the row.
-- columns:
--   target_table: The table of the disputed fact.
--   target_id: The id of the disputed fact.
--   target: Its name where it has one.
--   contradicting_source: The text giving the other reading.
--   contradicting_locator: Where it says so.
--   other_reading: What the other reading claims.
--   supported_by: The citations (text and locator) behind the value the row holds.
--   citation_id: The contradicting citation (citations).
SELECT
  d.target_table,
  d.target_id,
  d.target,
  d.source AS contradicting_source,
  d.locator AS contradicting_locator,
  d.note AS other_reading,
  (SELECT group_concat(sup.source_id || ' ' || sup.locator, '; ')
     FROM citations sup
    WHERE sup.target_table = d.target_table AND sup.target_id = d.target_id AND sup.stance = 'supports') AS supported_by,
  d.id AS citation_id
FROM citation_targets d
WHERE d.stance = 'contradicts'
