-- Derived columns and views that make the common questions one click.
-- Read by build_db.py after the tables are loaded.

-- The one filled target of a citation, as a table name and an id, indexed: questions about
-- "all citations of this fact" look them up instead of testing seven columns.
ALTER TABLE citations ADD COLUMN target_table TEXT GENERATED ALWAYS AS (
  CASE
    WHEN event_id IS NOT NULL THEN 'events'
    WHEN membership_id IS NOT NULL THEN 'memberships'
    WHEN person_id IS NOT NULL THEN 'people'
    WHEN organization_id IS NOT NULL THEN 'organizations'
    WHEN relation_id IS NOT NULL THEN 'organization_relations'
    WHEN participant_id IS NOT NULL THEN 'event_participants'
    WHEN place_id IS NOT NULL THEN 'places'
  END) VIRTUAL;
ALTER TABLE citations ADD COLUMN target_id TEXT GENERATED ALWAYS AS (
  coalesce(event_id, membership_id, person_id, organization_id, relation_id, participant_id, place_id)) VIRTUAL;
CREATE INDEX idx_citations_target ON citations (target_table, target_id, stance);
CREATE INDEX idx_citations_stance ON citations (stance);

CREATE VIEW membership_spans AS
SELECT
  m.id,
  p.name AS person,
  o.name AS organization,
  o.abbreviation,
  m.role,
  m.start_date,
  m.end_date,
  m.end_reason,
  m.start_date_earliest,
  coalesce(m.end_date_latest, m.start_date_latest) AS end_date_latest,
  m.start_year,
  m.person_id,
  m.organization_id,
  m.note
FROM memberships m
JOIN people p ON p.id = m.person_id
JOIN organizations o ON o.id = m.organization_id;

CREATE VIEW timeline AS
SELECT
  e.id,
  e.start_date,
  e.end_date,
  e.name,
  e.classification,
  pl.name AS place,
  e.summary,
  e.start_year,
  e.start_decade,
  e.start_date_earliest,
  (SELECT count(*) FROM citations c WHERE c.event_id = e.id) AS citations
FROM events e
LEFT JOIN places pl ON pl.id = e.place_id
ORDER BY e.start_date_earliest, e.id;

CREATE VIEW citation_targets AS
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
LEFT JOIN places pl ON pl.id = c.place_id;

CREATE VIEW disputed_facts AS
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
WHERE d.stance = 'contradicts';

CREATE VIEW footnote_works AS
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
ORDER BY f.number;
