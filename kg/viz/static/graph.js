/* kg graph view: search, filters, expand-on-click and the details panel, over vis-network.
 *
 * Input: window.KG_GRAPH = {nodes, edges, options, config} written by kg/viz/pyvis_html.py.
 * config.apiBase is the JSON API prefix (/api) or null in a static export (search then looks at the drawn nodes,
 * and nodes cannot be expanded). Every text from the graph is shown with textContent, never as HTML.
 */
(function () {
  "use strict";
  var G = window.KG_GRAPH;
  var cfg = G.config;
  var api = cfg.apiBase;
  var nodes = new vis.DataSet(G.nodes);
  var edges = new vis.DataSet(G.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, G.options);
  var expanded = new Set();
  var body = document.body;
  var statusEl = document.getElementById("status");
  window.kgNetwork = network;  // for tests and benchmarks
  window.kgData = {nodes: nodes, edges: edges};
  var t0 = performance.now();

  // ---------------------------------------------------------------- helpers
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "className") e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function status(text) { statusEl.textContent = text; }
  function styleOf(type) { return cfg.styles[type] || cfg.other; }
  function badge(type) {
    var b = el("span", {className: "badge"}, type);
    b.style.background = styleOf(type).color;
    return b;
  }
  function getJSON(path, params) {
    var url = api + path + "?" + new URLSearchParams(params).toString();
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error((data.error && data.error.message) || ("HTTP " + r.status));
        return data;
      });
    });
  }
  function updateCounts() {
    var text = nodes.length + " nodes, " + edges.length + " edges";
    document.getElementById("counts").textContent = text;
  }

  // ---------------------------------------------------------------- bounded stabilisation
  function markStable(how) {
    if (body.getAttribute("data-stable")) return;
    network.setOptions({physics: false});
    window.kgStableMs = performance.now() - t0;  // since the page script started
    window.kgStableAt = performance.now();  // since navigation start
    body.setAttribute("data-stable", how);
  }
  if (G.options.physics && G.options.physics.enabled === false) {
    // big graphs: seeded positions, no physics — stable once drawn
    network.once("afterDrawing", function () { markStable("seeded"); });
  } else {
    network.once("stabilizationIterationsDone", function () { markStable("1"); });
  }
  setTimeout(function () {  // wall-clock cap: never simulate longer than stabilizeMs
    if (!body.getAttribute("data-stable")) { network.stopSimulation(); markStable("timeout"); }
  }, cfg.stabilizeMs || 20000);
  if (nodes.length === 0) markStable("empty");
  if (G.options.physics && G.options.physics.enabled === false) network.fit();

  // ---------------------------------------------------------------- expand
  function addData(data, around) {
    var fresh = data.nodes.filter(function (n) { return !nodes.get(n.id); });
    var centre = around && nodes.get(around) ? network.getPosition(around) : {x: 0, y: 0};
    var r = 120 + 6 * Math.sqrt(fresh.length);
    fresh.forEach(function (n, i) {
      var a = 2 * Math.PI * i / Math.max(fresh.length, 1);
      n.x = centre.x + r * Math.cos(a);
      n.y = centre.y + r * Math.sin(a);
    });
    nodes.add(fresh);
    edges.update(data.edges);
    applyFilters();
    updateCounts();
    return fresh.length;
  }
  function expand(id) {
    if (!api || expanded.has(id)) return Promise.resolve(0);
    expanded.add(id);
    status("expanding…");
    return getJSON("/neighbours", {iri: id}).then(function (data) {
      var added = addData(data, id);
      var s = data.summary || {};
      var msg = "expanded " + ((nodes.get(id) || {}).name || id) + ": +" + added + " nodes";
      if (s.total !== undefined && s.shown !== undefined && s.total > s.shown) msg += " (" + s.shown + " of " + s.total + " neighbours shown)";
      status(msg);
      body.setAttribute("data-expanded", String(expanded.size));
      return added;
    }).catch(function (err) { expanded.delete(id); status("expand failed: " + err.message); });
  }

  // ---------------------------------------------------------------- details panel
  var details = document.getElementById("details");
  var detailsBody = document.getElementById("details-body");
  document.getElementById("details-close").addEventListener("click", function () { details.hidden = true; });

  function nodeLink(iri, text, type) {
    var a = el("a", {className: "node-link", "data-iri": iri, href: "#"}, text);
    a.addEventListener("click", function (ev) { ev.preventDefault(); focusNode(iri); });
    var li = el("li");
    if (type) li.appendChild(badge(type));
    li.appendChild(a);
    return li;
  }
  function segments(target, segs) {
    segs.forEach(function (s) {
      if (s.highlight) {
        var m = el("mark", {className: "evidence", "data-entity": s.entity || "", "data-role": s.role || "",
                            title: (s.role || "") + ": " + (s.label || "") + " (" + (s.type || "") + ")"}, s.text);
        m.addEventListener("click", function () { if (s.entity) focusNode(s.entity); });
        target.appendChild(m);
      } else {
        target.appendChild(document.createTextNode(s.text));
      }
    });
  }
  function safeUrl(u) {
    try { var p = new URL(u); return (p.protocol === "http:" || p.protocol === "https:") ? p.href : null; }
    catch (e) { return null; }
  }
  function showPaper(d) {
    var h = el("h1", {id: "details-title"});
    segments(h, d.title_segments || [{text: d.title}]);
    detailsBody.appendChild(badge("paper"));
    detailsBody.appendChild(h);
    var meta = [];
    if (d.year) meta.push(String(d.year));
    if (d.authors && d.authors.length) meta.push(d.authors.join(", "));
    if (meta.length) detailsBody.appendChild(el("p", {className: "meta"}, meta.join(" · ")));
    var url = d.url && safeUrl(d.url);
    if (url) { var p = el("p", {className: "meta"}); p.appendChild(el("a", {href: url, rel: "noopener noreferrer"}, url)); detailsBody.appendChild(p); }
    detailsBody.appendChild(el("h2", null, "Abstract (evidence highlighted)"));
    var abs = el("p", {id: "abstract"});
    segments(abs, d.abstract_segments || [{text: d.abstract || ""}]);
    detailsBody.appendChild(abs);
    var roles = el("div", {id: "roles"});
    Object.keys(d.roles || {}).forEach(function (role) {
      roles.appendChild(el("h2", {"data-role": role}, role));
      var ul = el("ul", {"data-role": role});
      d.roles[role].forEach(function (e) { ul.appendChild(nodeLink(e.iri, e.label, e.type)); });
      roles.appendChild(ul);
    });
    detailsBody.appendChild(roles);
  }
  function showEntity(d) {
    detailsBody.appendChild(badge(d.type));
    detailsBody.appendChild(el("h1", {id: "details-title"}, d.label));
    if (d.families && d.families.length) detailsBody.appendChild(el("p", {className: "meta"}, "architecture family: " + d.families.join(", ")));
    if (d.comment) detailsBody.appendChild(el("p", {className: "meta"}, d.comment));
    detailsBody.appendChild(el("h2", null, "Aliases"));
    var al = el("ul", {id: "aliases"});
    (d.aliases || []).forEach(function (a) { al.appendChild(el("li", null, a)); });
    if (!d.aliases || !d.aliases.length) al.appendChild(el("li", {className: "meta"}, "none"));
    detailsBody.appendChild(al);
    var h = el("h2", null, "Papers: ");
    h.appendChild(el("span", {id: "paper-count"}, d.paper_count));
    if (d.papers_total > d.papers_shown) h.appendChild(document.createTextNode(" (first " + d.papers_shown + " listed)"));
    detailsBody.appendChild(h);
    var ul = el("ul", {id: "papers"});
    (d.papers || []).forEach(function (p) {
      var li = nodeLink(p.iri, p.title + (p.year ? " (" + p.year + ")" : ""));
      li.appendChild(el("span", {className: "matched"}, p.role));
      ul.appendChild(li);
    });
    detailsBody.appendChild(ul);
    if (d.related && d.related.length) {
      detailsBody.appendChild(el("h2", null, "Architecture links"));
      var rl = el("ul", {id: "related"});
      d.related.forEach(function (r) { rl.appendChild(nodeLink(r.iri, r.label, r.type)); });
      detailsBody.appendChild(rl);
    }
  }
  function showLocal(id) {  // static export: what the drawn node carries
    var n = nodes.get(id) || {};
    detailsBody.appendChild(badge(n.ntype || "other"));
    detailsBody.appendChild(el("h1", {id: "details-title"}, n.name || id));
    detailsBody.appendChild(el("p", {className: "meta"}, n.title || ""));
    detailsBody.appendChild(el("p", {className: "meta"}, id));
  }
  function showDetails(id) {
    details.hidden = false;
    detailsBody.textContent = "";
    body.removeAttribute("data-details");
    if (!api) { showLocal(id); body.setAttribute("data-details", id); return Promise.resolve(); }
    detailsBody.appendChild(el("p", {className: "meta"}, "loading…"));
    return getJSON("/node", {iri: id}).then(function (d) {
      detailsBody.textContent = "";
      if (d.type === "paper") showPaper(d); else showEntity(d);
      body.setAttribute("data-details", id);
    }).catch(function (err) {
      detailsBody.textContent = "";
      detailsBody.appendChild(el("p", {className: "meta"}, "no details: " + err.message));
    });
  }

  function focusNode(id) {
    var ready = nodes.get(id) ? Promise.resolve() : expand(id);
    return ready.then(function () {
      if (nodes.get(id)) {
        network.selectNodes([id]);
        network.focus(id, {scale: Math.max(network.getScale(), 0.8), animation: false});
      }
      showDetails(id);
      if (nodes.get(id)) expand(id);
    });
  }
  window.kgFocus = focusNode;

  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) {
      var id = params.nodes[0];
      showDetails(id);
      expand(id);
    }
  });

  // ---------------------------------------------------------------- search
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  var timer = null, seq = 0;
  function renderHits(hits) {
    results.textContent = "";
    if (!hits.length) results.appendChild(el("li", {className: "none"}, "no match"));
    hits.forEach(function (h) {
      var li = el("li", {className: "hit", "data-iri": h.iri});
      li.appendChild(badge(h.type));
      li.appendChild(el("span", {className: "hit-label"}, h.label));
      if (h.matched && h.matched !== h.label) li.appendChild(el("span", {className: "matched"}, "alias: " + h.matched));
      if (h.papers) li.appendChild(el("span", {className: "matched"}, "· " + h.papers + " papers"));
      li.addEventListener("mousedown", function (ev) {
        ev.preventDefault();
        results.hidden = true;
        focusNode(h.iri);
      });
      results.appendChild(li);
    });
    results.hidden = false;
  }
  function localHits(q) {
    var needle = q.toLowerCase();
    return nodes.get({filter: function (n) { return String(n.name || "").toLowerCase().indexOf(needle) >= 0; }})
      .slice(0, 20).map(function (n) { return {iri: n.id, label: n.name, type: n.ntype, matched: n.name}; });
  }
  function runSearch() {
    var q = search.value.trim();
    if (q.length < 2) { results.hidden = true; return; }
    var mine = ++seq;
    if (!api) { renderHits(localHits(q)); return; }
    getJSON("/search", {q: q}).then(function (data) {
      if (mine === seq) renderHits(data.results);
    }).catch(function (err) { status("search failed: " + err.message); });
  }
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(runSearch, 180); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { clearTimeout(timer); runSearch(); }
    if (ev.key === "Escape") results.hidden = true;
  });
  search.addEventListener("blur", function () { setTimeout(function () { results.hidden = true; }, 150); });

  // ---------------------------------------------------------------- filters
  var family = document.getElementById("family");
  (cfg.families || []).forEach(function (f) { family.appendChild(el("option", {value: f}, f)); });
  function checked(selector, attr) {
    var on = {};
    document.querySelectorAll(selector).forEach(function (i) { on[i.getAttribute(attr)] = i.checked; });
    return on;
  }
  function applyFilters() {
    var types = checked(".filter-type input", "data-type");
    var roles = checked(".filter-role input", "data-role");
    var fam = family.value;
    var keep = null;
    if (fam) {  // nodes of the family, the papers next to them, and those papers' other entities
      keep = new Set();
      var papers = new Set();
      nodes.forEach(function (n) { if ((n.families || []).indexOf(fam) >= 0) { keep.add(n.id); if (n.ntype === "paper") papers.add(n.id); } });
      edges.forEach(function (e) {
        [[e.from, e.to], [e.to, e.from]].forEach(function (p) {
          var a = nodes.get(p[0]);
          if (keep.has(p[1]) && a && a.ntype === "paper") papers.add(p[0]);
        });
      });
      papers.forEach(function (p) { keep.add(p); });
      edges.forEach(function (e) {
        if (papers.has(e.from)) keep.add(e.to);
        if (papers.has(e.to)) keep.add(e.from);
      });
    }
    var hiddenNode = {};
    var nodeUpdates = [];
    nodes.forEach(function (n) {
      var hide = (types[n.ntype] === false) || (keep !== null && !keep.has(n.id));
      hiddenNode[n.id] = hide;
      if (!!n.hidden !== hide) nodeUpdates.push({id: n.id, hidden: hide});
    });
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var hide = roles[e.relation] === false || hiddenNode[e.from] || hiddenNode[e.to];
      if (!!e.hidden !== hide) edgeUpdates.push({id: e.id, hidden: hide});
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    var shown = nodes.length - Object.keys(hiddenNode).filter(function (k) { return hiddenNode[k]; }).length;
    body.setAttribute("data-visible", String(shown));
  }
  document.querySelectorAll(".filter-type input, .filter-role input").forEach(function (i) {
    i.addEventListener("change", applyFilters);
  });
  family.addEventListener("change", applyFilters);
  window.kgApplyFilters = applyFilters;

  // ---------------------------------------------------------------- first view
  updateCounts();
  var summary = cfg.summary || {};
  if (summary.view === "overview") status("overview: the most-linked entities and their papers — click a node to expand, or search");
  else if (summary.view === "focus" && summary.total > summary.shown) status(summary.shown + " of " + summary.total + " neighbours shown");
  else if (summary.cut) status("the CONSTRUCT result was cut at " + nodes.length + " nodes");
  if (cfg.focus && nodes.get(cfg.focus)) {
    expanded.add(cfg.focus);
    network.selectNodes([cfg.focus]);
    showDetails(cfg.focus);
  }
})();
