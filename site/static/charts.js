/* The site's diagrams, drawn in the browser from the JSON of a canned query (the same SQL as the query's page).

   Each chart element says what to draw: <div data-chart="timeline|gantt|family-tree|network" data-rows="…json url…"
   data-database="/db" …>. Timeline and memberships are Vega-Lite (SVG, so every mark carries an aria-label);
   the family tree (dagre layout) and the network (concentric by steps) are Cytoscape. Every mark links to its page.
   The drawn objects are kept in window.siteCharts for the browser tests. */
(function () {
  "use strict";
  const siteCharts = (window.siteCharts = { views: {}, graphs: {}, ready: {} });
  const DAY = 86400000;
  const OPEN_RANGE = "the range the texts leave open";
  const PALETTE = ["#8b1a1a", "#276890", "#e08a00", "#3b7d3b", "#7a4f9a", "#b0476b", "#4d6b73", "#9a7b2f", "#2f8f8f",
                   "#5c5c5c"];

  // Datasette's tilde encoding of a row id in a URL path.
  function tildeEncode(value) {
    return Array.from(new TextEncoder().encode(String(value)), (byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(c) ? c : "~" + byte.toString(16).toUpperCase().padStart(2, "0");
    }).join("");
  }
  const rowUrl = (database, table, id) => `${database}/${table}/${tildeEncode(id)}`;
  const day = (iso) => (iso ? Date.parse(iso + "T00:00:00Z") : null);
  const nice = (s) => (s || "").replace(/_/g, " ");
  const year = (t) => new Date(t).getUTCFullYear();

  async function fetchRows(url) {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} from ${url}`);
    return response.json();
  }

  function say(el, text) {
    const p = document.createElement("p");
    p.className = "chart-message";
    p.textContent = text;
    el.replaceChildren(p);
  }

  // Vega-Lite's warnings about equal domains merged across layers are noise here; errors still show.
  const vegaOptions = () => ({ renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false },
                               tooltip: { theme: "light" }, logLevel: vega.Error });

  /* The years the axis shows: those asked for, else the data's, widened to the whole dataset's where `withExtent`
     (membership spans share one axis, so an open end runs on to the last year the dataset knows). */
  function yearDomain(el, times, withExtent) {
    const from = parseInt(el.dataset.fromYear, 10), to = parseInt(el.dataset.toYear, 10);
    const extent = [day(el.dataset.extentFrom), day(el.dataset.extentTo)].filter((t) => t !== null);
    const known = times.filter((t) => t !== null && !Number.isNaN(t)).concat(withExtent || !times.length ? extent : []);
    const lo = Date.UTC(Number.isNaN(from) ? year(Math.min(...known)) - 1 : from, 0, 1);
    const hi = Date.UTC(Number.isNaN(to) ? year(Math.max(...known)) + 2 : to + 1, 0, 1);
    return [lo, hi];
  }

  // A time axis over [lo, hi): years, or months for a short range; as DateTime objects, as Vega-Lite wants them.
  function timeAxis(lo, hi, compact) {
    const asDateTime = (t) => { const d = new Date(t); return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1,
                                                                 date: d.getUTCDate(), utc: true }; };
    const years = (hi - lo) / (365.25 * DAY);
    return { scale: { type: "utc", domain: [asDateTime(lo), asDateTime(hi)] },
             axis: { title: null, format: years <= 3 ? "%b %Y" : "%Y", grid: true, orient: "top", labelOverlap: true,
                     tickCount: years <= 3
                       ? { interval: "month", step: [1, 2, 3, 6].find((n) => years * 12 / n <= (compact ? 5 : 14)) || 12 }
                       : { interval: "year", step: [1, 2, 5, 10, 20].find((n) => years / n <= (compact ? 7 : 16)) || 50 } } };
  }

  // On a phone the row labels go above the marks, inside the plot, so the time axis keeps the width.
  function rowAxis(compact, limit) {
    return compact ? { title: null, labelAlign: "left", labelBaseline: "bottom", labelPadding: -6, labelOffset: -9,
                       labelLimit: 330, ticks: false, domain: false, labelFontSize: 10 }
                   : { title: null, labelLimit: limit };
  }

  /* Timeline: events by kind on a date axis; a dot for a certain day, a hollow dot for an uncertain day, a bar
     from the earliest to the latest day a longer or uncertain date can mean (faded and dashed if uncertain). */
  async function timeline(el) {
    const database = el.dataset.database;
    const rows = await fetchRows(el.dataset.rows);
    const placed = rows.filter((r) => r.shape !== "undated").map((r) => ({
      ...r,
      kind: nice(r.classification),
      x: r.shape === "span" ? day(r.earliest) : day(r.earliest) + DAY / 2,
      x2: day(r.latest) + DAY,
      when: r.start_date + (r.end_date ? " – " + r.end_date : ""),
      url: rowUrl(database, "events", r.event_id),
      label: `${r.event}, ${r.start_date}${r.end_date ? " – " + r.end_date : ""} (${nice(r.classification)})`,
    }));
    listUndated(el, rows.filter((r) => r.shape === "undated"), database);
    if (!placed.length) return say(el, "No dated events match these filters.");
    const [lo, hi] = yearDomain(el, placed.flatMap((r) => [r.x, r.x2]));
    const kinds = [...new Set(placed.map((r) => r.kind))].sort();
    const compact = el.clientWidth < 600;
    const kindColor = { field: "kind", type: "nominal", legend: null, scale: { range: PALETTE } };
    const common = {
      x: { field: "x", type: "temporal", ...timeAxis(lo, hi, compact) },
      y: { field: "kind", type: "nominal", sort: kinds, axis: rowAxis(compact, 140) },
      color: kindColor,
      href: { field: "url" },
      description: { field: "label" },
      tooltip: [{ field: "event", title: "event" }, { field: "when", title: "date (EDTF)" },
                { field: "kind", title: "kind" }, { field: "place", title: "place" }],
    };
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: { step: compact ? 36 : 26 },
      data: { values: placed },
      layer: [
        { transform: [{ filter: "datum.shape === 'span'" }],
          mark: { type: "bar", height: 12, strokeWidth: 2, clip: true, cursor: "pointer" },
          encoding: { ...common, x2: { field: "x2" }, stroke: kindColor,
                      opacity: { condition: { test: "datum.uncertain", value: 0.45 }, value: 0.85 },
                      strokeDash: { condition: { test: "datum.uncertain", value: [3, 2] }, value: [1, 0] } } },
        { transform: [{ filter: "datum.shape !== 'span'" }],
          mark: { type: "point", size: 110, strokeWidth: 2, filled: false, clip: true, cursor: "pointer" },
          encoding: { ...common, color: undefined, x: { field: "x", type: "temporal" }, stroke: kindColor, fill: { condition: { test: "datum.shape === 'day'", ...kindColor },
                                                            value: "white" },
                      fillOpacity: { value: 1 } } },
      ],
    };
    const result = await vegaEmbed(el, spec, vegaOptions());
    siteCharts.views[el.id] = result.view;
  }

  function listUndated(el, rows, database) {
    const holder = document.getElementById(el.dataset.undatedList || "");
    if (!holder) return;
    holder.replaceChildren();
    if (!rows.length) return;
    const intro = document.createElement("p");
    intro.textContent = `${rows.length} event${rows.length === 1 ? "" : "s"} the texts do not date, so not on the axis:`;
    const list = document.createElement("ul");
    for (const r of rows) {
      const li = document.createElement("li"), a = document.createElement("a");
      a.href = rowUrl(database, "events", r.event_id);
      a.textContent = r.event;
      li.append(a, ` (${nice(r.classification)})`);
      list.append(li);
    }
    holder.append(intro, list);
  }

  /* Membership spans: solid where the texts date a membership; where they leave a start, an end or both open,
     a faded dashed band over what the organization's and the person's known dates still allow, with an arrow
     for an open end; "dates not given" on the undated. Never a solid bar for what is not stated. */
  async function gantt(el) {
    const database = el.dataset.database, mode = el.dataset.mode || "selection";
    const rows = await fetchRows(el.dataset.rows);
    const section = document.getElementById(el.dataset.hideEmpty || "");
    if (!rows.length && section) section.hidden = true;
    if (!rows.length) return say(el, "No memberships match.");
    const known = rows.flatMap((r) => [r.start_earliest, r.start_latest, r.end_earliest, r.end_latest, r.possible_from,
                                       r.possible_to].map(day));
    const [lo, hi] = yearDomain(el, known, true);
    const compact = el.clientWidth < 600;
    const marks = rows.map((r, i) => {
      const start = day(r.start_earliest), end = day(r.end_latest);
      const label = mode === "person" ? `${r.organization_short} · ${nice(r.role)}`
                  : mode === "organization" ? `${r.person} · ${nice(r.role)}`
                  : `${r.person} — ${r.organization_short} · ${nice(r.role)}`;
      const bandFrom = Math.max(lo, day(r.possible_from) ?? lo), bandTo = Math.min(hi, day(r.possible_to) ?? hi);
      const solid = { dated: [start, end + DAY], open_end: [start, day(r.start_latest) + DAY],
                      open_start: [day(r.end_earliest), end + DAY] }[r.dating] || [null, null];
      const band = { open_end: [solid[1], Math.max(solid[1], bandTo)], open_start: [Math.min(bandFrom, solid[0]), solid[0]],
                     undated: [bandFrom, bandTo] }[r.dating] || [null, null];
      const stated = { dated: `${r.start_date} – ${r.end_date}`, open_end: `from ${r.start_date}, end not given`,
                       open_start: `until ${r.end_date}, start not given`, undated: "dates not given" }[r.dating];
      return {
        row: `${String(i).padStart(3, "0")}|${label}`, label, dating: r.dating, uncertain: !!r.uncertain,
        role: nice(r.role), person: r.person, organization: r.organization, stated,
        s0: solid[0], s1: solid[1], b0: band[0], b1: band[1],
        url: rowUrl(database, "memberships", r.membership_id),
        description: `${r.person}, ${r.organization}, ${nice(r.role)}: ${stated}`,
        band_description: `${r.person}, ${r.organization}, ${nice(r.role)}: ${stated} (${OPEN_RANGE})`,
      };
    });
    // Rows in the query's order (the row key starts with its index): the layers hold different subsets of the rows.
    const y = { field: "row", type: "nominal", sort: "ascending",
                axis: { ...rowAxis(compact, 240), labelExpr: "split(datum.label, '|')[1]" } };
    const x = { type: "temporal", ...timeAxis(lo, hi, compact) };
    const roleColor = { field: "role", type: "nominal", scale: { scheme: "tableau20" } };
    const color = { ...roleColor, legend: { title: "role", orient: "bottom", direction: "horizontal", columns: compact ? 3 : 6,
                                            symbolOpacity: 1, symbolStrokeWidth: 0 } };
    const tooltip = [{ field: "person" }, { field: "organization" }, { field: "role" }, { field: "stated", title: "dates" }];
    const shared = { y, color, href: { field: "url" }, description: { field: "description" }, tooltip };
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: { step: compact ? 36 : 24 },
      data: { values: marks },
      layer: [
        { transform: [{ filter: "datum.b0 !== null" }],
          mark: { type: "bar", height: 14, opacity: 0.18, strokeOpacity: 0.8, strokeWidth: 1.2, strokeDash: [4, 3],
                  clip: true, cursor: "pointer" },
          encoding: { ...shared, x: { ...x, field: "b0" }, x2: { field: "b1" }, stroke: { ...roleColor, legend: null },
                      description: { field: "band_description" } } },
        { transform: [{ filter: "datum.s0 !== null" }],
          mark: { type: "bar", height: 14, strokeWidth: 2, clip: true, cursor: "pointer" },
          encoding: { ...shared, x: { field: "s0", type: "temporal" }, x2: { field: "s1" }, stroke: { ...roleColor, legend: null },
                      opacity: { condition: { test: "datum.uncertain", value: 0.5 }, value: 0.95 },
                      strokeDash: { condition: { test: "datum.uncertain", value: [3, 2] }, value: [1, 0] } } },
        { transform: [{ filter: "datum.dating === 'open_end' || datum.dating === 'open_start'" },
                      { calculate: "datum.dating === 'open_end' ? datum.b1 : datum.b0", as: "tip" }],
          mark: { type: "point", filled: true, size: 70, clip: true, opacity: 0.8, aria: false },
          encoding: { y, color, x: { field: "tip", type: "temporal" }, tooltip,
                      shape: { condition: { test: "datum.dating === 'open_end'", value: "triangle-right" },
                               value: "triangle-left" } } },
        { transform: [{ filter: "datum.dating === 'undated'" }],
          mark: { type: "text", align: "left", dx: 4, fontSize: 11, fontStyle: "italic", color: "#444", aria: false },
          encoding: { y, x: { field: "b0", type: "temporal" }, text: { value: "dates not given" } } },
      ],
    };
    const result = await vegaEmbed(el, spec, vegaOptions());
    siteCharts.views[el.id] = result.view;
  }

  const FONT = '"Helvetica Neue", Helvetica, Arial, sans-serif';
  const measure = document.createElement("canvas").getContext("2d");

  // A box that fits a (multi-line) label: Cytoscape's `width: label` is deprecated.
  function labelBox(label, size, padding) {
    measure.font = `${size}px ${FONT}`;
    const lines = label.split("\n");
    return { w: Math.max(...lines.map((l) => measure.measureText(l).width)) + 2 * padding,
             h: lines.length * size * 1.25 + 2 * padding };
  }

  function graphStyle(extra) {
    return [
      { selector: "node", style: { label: "data(label)", "text-wrap": "wrap", "font-size": 11, "font-family": FONT,
                                   "text-valign": "center", "text-halign": "center", color: "#222" } },
      { selector: "edge", style: { width: 1.5, "line-color": "#999", "curve-style": "bezier", "font-family": FONT } },
      ...extra,
    ];
  }

  function makeGraph(el, elements, style, layout) {
    const holder = document.createElement("div");
    holder.className = "graph-canvas";
    el.replaceChildren(holder);
    const cy = cytoscape({ container: holder, elements, style, layout, maxZoom: 1.25, minZoom: 0.2,
                           userZoomingEnabled: false, userPanningEnabled: false, boxSelectionEnabled: false,
                           autoungrabify: true });
    cy.on("tap", "node", (event) => { window.location.href = event.target.data("url"); });
    cy.on("mouseover", "node", () => { holder.style.cursor = "pointer"; });
    cy.on("mouseout", "node", () => { holder.style.cursor = ""; });
    siteCharts.graphs[el.id] = cy;
    return cy;
  }

  /* Size the frame to the laid-out drawing: as wide as the page allows, but never smaller than `minZoom` (text stays
     readable; a wider drawing scrolls sideways in its frame, as on a phone), and as high as that zoom needs. */
  function fitGraph(el, cy, { minZoom = 0.8, minHeight = 200, maxHeight = 1000, padding = 12, centerScroll = false } = {}) {
    const box = cy.elements().boundingBox();
    const zoom = Math.max(minZoom, Math.min(1.25, (el.clientWidth - 2 * padding) / Math.max(box.w, 1)));
    const width = Math.max(el.clientWidth - 2, Math.ceil(box.w * zoom + 2 * padding));
    const height = Math.round(Math.min(maxHeight, Math.max(minHeight, box.h * zoom + 2 * padding)));
    const canvas = el.querySelector(".graph-canvas");
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    el.style.height = "auto";
    el.classList.toggle("scrolls", width > el.clientWidth);
    cy.resize();
    cy.fit(undefined, padding);
    el.scrollLeft = centerScroll ? (el.scrollWidth - el.clientWidth) / 2 : 0;
  }

  // What an arrow from the earlier organization to the later one says, read along the arrow.
  const ALONG_ARROW = { split_from: "split off", faction_of: "faction", successor_of: "succeeded by", renamed_from: "renamed",
                        founded_by: "founded", entered: "entered by", merged_into: "merged into" };

  /* Family tree: organizations as boxes (with the founding date the texts give), each relation an arrow from the
     earlier organization to the later (the party a faction split from, the party it entered), in time order from
     left to right (top to bottom on a phone), labelled with the relation and its date. */
  async function familyTree(el) {
    const database = el.dataset.database, focus = el.dataset.focus || "";
    const rows = await fetchRows(el.dataset.rows);
    if (!rows.length) return say(el, "No splits, factions, successions or entries recorded for this organization.");
    const nodes = new Map();
    const addNode = (id, name, short, founded) => {
      if (nodes.has(id)) return;
      const label = short + (founded ? `\n${founded}` : "");
      nodes.set(id, { data: { id, name, label, url: rowUrl(database, "organizations", id), ...labelBox(label, 11, 7) },
                      classes: id === focus ? "focus" : "" });
    };
    const edges = rows.map((r) => {
      addNode(r.organization_id, r.organization, r.organization_short, r.organization_founded);
      addNode(r.other_organization_id, r.other_organization, r.other_organization_short, r.other_organization_founded);
      return { data: { id: "r:" + r.relation_id, source: r.earlier_id, target: r.later_id, relation: r.relation_kind,
                       date: r.date || "", label: (ALONG_ARROW[r.relation_kind] || r.relation) + (r.date ? ` ${r.date}` : ""),
                       sentence: `${r.organization} ${r.relation} ${r.other_organization}${r.date ? " (" + r.date + ")" : ""}` },
               classes: r.relation_kind };
    });
    const phone = el.clientWidth < 600;
    el.style.height = "400px";
    const cy = makeGraph(el, [...nodes.values(), ...edges], graphStyle([
      { selector: "node", style: { shape: "round-rectangle", width: "data(w)", height: "data(h)",
                                   "background-color": "#f6f3ee", "border-width": 1.5, "border-color": "#8b1a1a" } },
      { selector: "node.focus", style: { "border-width": 4, "background-color": "#fbe9d0", "font-weight": "bold" } },
      { selector: "edge", style: { "target-arrow-shape": "triangle", "target-arrow-color": "#666", "line-color": "#666",
                                   label: "data(label)", "font-size": 10, "text-background-color": "#fffdf9",
                                   "text-background-opacity": 0.9, "text-background-padding": 2 } },
      { selector: "edge.split_from", style: { "line-color": "#8b1a1a", "target-arrow-color": "#8b1a1a", width: 2.5 } },
      { selector: "edge.faction_of", style: { "line-style": "dashed" } },
      { selector: "edge.entered", style: { "line-color": "#276890", "target-arrow-color": "#276890", "line-style": "dotted",
                                           width: 2.5 } },
      { selector: "edge", style: { "curve-style": "unbundled-bezier", "edge-distances": "intersection",
                                   "control-point-weights": (e) => e.scratch("controlPointWeights") || [0.5],
                                   "control-point-distances": (e) => e.scratch("controlPointDistances") || [0] } },
    ]), { name: "dagre", rankDir: phone ? "TB" : "LR", nodeSep: phone ? 14 : 22, rankSep: phone ? 70 : 110, edgeSep: 14,
          padding: 12, useDagreEdgeControlPoints: true, automaticDagreEdgeStyle: false });
    fitGraph(el, cy, { minZoom: 0.85, maxHeight: phone ? 1600 : 900 });
    cy.on("mouseover", "edge", (event) => { el.title = event.target.data("sentence"); });
  }

  /* A person's network: the person in the middle, the people one step out around, two steps out on the outer
     ring. Lines to the person are strong, the others faint until a name is hovered; a line's width is the number of
     shared organizations and events (dashed: events only), and the caption says which. */
  async function network(el) {
    const database = el.dataset.database;
    const rows = await fetchRows(el.dataset.rows);
    if (!rows.length) return say(el, "No one shares an organization or an event with this person in the data.");
    const nodes = new Map();
    const addNode = (id, name, step) => nodes.set(id, { data: { id, label: name, step, url: rowUrl(database, "people", id) },
                                                          classes: `step${step}` });
    const edges = rows.map((r) => {
      addNode(r.person_id, r.person, r.person_step);
      addNode(r.other_person_id, r.other_person, r.other_person_step);
      const why = [r.shared_organizations, r.shared_events].filter(Boolean).join("; ");
      const kind = r.shared_organizations && r.shared_events ? "both" : r.shared_organizations ? "organizations" : "events-only";
      return { data: { id: `${r.person_id}|${r.other_person_id}`, source: r.person_id, target: r.other_person_id,
                       weight: r.links, why, organizations: r.shared_organizations || "", events: r.shared_events || "" },
               classes: `${kind}${Math.min(r.person_step, r.other_person_step) === 0 ? " direct" : ""}` };
    });
    el.style.height = "600px";
    const phone = el.clientWidth < 600;
    const cy = makeGraph(el, [...nodes.values(), ...edges], graphStyle([
      { selector: "node", style: { width: 12, height: 12, "background-color": "#9bb7c9", "font-size": phone ? 12 : 10,
                                   "text-wrap": "none", "text-background-color": "#fffdf9", "text-background-opacity": 0.7 } },
      { selector: "node[halign]", style: { "text-halign": "data(halign)", "text-valign": "data(valign)",
                                           "text-margin-x": "data(mx)", "text-margin-y": "data(my)" } },
      { selector: "node.step0", style: { width: 24, height: 24, "background-color": "#8b1a1a", "font-weight": "bold",
                                         "font-size": 13, "text-valign": "bottom", "text-halign": "center", "text-margin-y": 4 } },
      { selector: "node.step1", style: { "background-color": "#276890", "font-size": phone ? 13 : 11 } },
      { selector: "edge", style: { width: "mapData(weight, 1, 8, 1, 6)", "line-color": "#b9b9b9", opacity: 0.25 } },
      { selector: "edge.direct", style: { "line-color": "#8b1a1a", opacity: 0.6 } },
      { selector: "edge.events-only", style: { "line-style": "dashed" } },
      { selector: ".faded", style: { opacity: 0.08 } },
      { selector: ".near", style: { opacity: 0.9 } },
      { selector: "edge.picked", style: { "line-color": "#e08a00", opacity: 1, "z-index": 10 } },
    ]), { name: "concentric", concentric: (n) => 3 - n.data("step"), levelWidth: () => 1, minNodeSpacing: 58,
          spacingFactor: 1.1, startAngle: (3 / 2) * Math.PI, padding: 12 });
    // Labels point away from the middle, so the rings' names do not sit on each other.
    const middle = cy.getElementById(el.dataset.person).position();
    cy.nodes().not(".step0").forEach((n) => {
      const dx = n.position().x - middle.x, dy = n.position().y - middle.y;
      const side = Math.abs(dx) > Math.abs(dy) * 0.6;
      n.data({ halign: side ? (dx < 0 ? "left" : "right") : "center", valign: side ? "center" : (dy < 0 ? "top" : "bottom"),
               mx: side ? (dx < 0 ? -3 : 3) : 0, my: side ? 0 : (dy < 0 ? -2 : 2) });
    });
    // Room for the outer ring's names (not in the nodes' bounding box before they are drawn).
    fitGraph(el, cy, { minZoom: 0.9, maxHeight: 1000, padding: 90, centerScroll: true });
    const caption = document.getElementById(el.dataset.caption || "");
    const explain = (text) => { if (caption) caption.textContent = text; };
    cy.on("mouseover tap", "edge", (event) => {
      cy.edges().removeClass("picked");
      event.target.addClass("picked");
      explain(`${event.target.source().data("label")} and ${event.target.target().data("label")}: ${event.target.data("why")}`);
    });
    cy.on("mouseover", "node", (event) => {
      const near = event.target.closedNeighborhood();
      cy.elements().not(near).addClass("faded");
      near.addClass("near");
      explain(`${event.target.data("label")}: linked to ${event.target.neighborhood("node").length} people here; click to open the page.`);
    });
    cy.on("mouseout", "node", () => cy.elements().removeClass("faded near"));
    return cy;
  }

  const DRAW = { timeline, gantt, "family-tree": familyTree, network };

  function drawAll() {
    for (const el of document.querySelectorAll("[data-chart]")) {
      const draw = DRAW[el.dataset.chart];
      siteCharts.ready[el.id] = draw(el).then(() => { el.dataset.drawn = "true"; })
        .catch((error) => { say(el, `The diagram could not be drawn (${error.message}); the table link below has the data.`);
                            el.dataset.drawn = "error"; });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
