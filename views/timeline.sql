-- description: Events in date order with their place and how many citations support them.
-- columns:
--   id: The event id (events).
--   start_date: When it happened or began, EDTF.
--   end_date: When it ended, EDTF.
--   name: Name of the event.
--   classification: Kind of event.
--   place: Name of the place.
--   summary: What happened, in our own words.
--   start_year: Year it began.
--   start_decade: Decade it began.
--   start_date_earliest: Earliest ISO day the start can mean.
--   citations: Number of citations of the event.
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
ORDER BY e.start_date_earliest, e.id
