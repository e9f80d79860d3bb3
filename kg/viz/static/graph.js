/* kg graph view: the page around the renderer — search (keyboard), expand with "show more", select/focus,
 * collapse/remove, undo/redo, filters that report, the details panel, downloads, and the state in the URL.
 *
 * Input: <script id="kg-data" type="application/json"> {nodes, edges, config, error} written by kg/viz/html.py.
 * config.apiBase is the JSON API prefix (/api) or null in a static export (search then looks at the drawn nodes,
 * nodes cannot be expanded, details come from config.details).
 *
 * State: what is drawn on top of the server's view is a function of the URL — x (expanded nodes, "N~IRI" for N
 * pages), rm (removed nodes), hide (hidden types), hideroles, family, sel (the selected node). Every action pushes a
 * new URL; Back/Forward (and Undo/Redo, which are Back/Forward inside this page) re-apply the URL, so a reload or a
 * shared link restores the same picture. Every text from the graph is shown with textContent, never as HTML.
 */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var cfg = DATA.config;
  var api = cfg.apiBase;
  var PAGE = 25;  // neighbours added per expansion page ("show more" adds as many again)
  var body = document.body;
  var statusEl = document.getElementById("status");
  var container = document.getElementById("graph");

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
  function relName(rel) { return (cfg.relations[rel] || {}).name || rel; }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function badge(type) {
    var b = el("span", {className: "badge"}, styleOf(type).name || type);
    b.style.background = styleOf(type).color;
    return b;
  }
  function apiError(data, r) {
    var e = (data && data.error) || {};
    var err = new Error(e.message || ("HTTP " + r.status));
    err.status = e.status || r.status; err.code = e.code || "error";
    return err;
  }
  function getJSON(path, params) {
    var url = api + path + "?" + new URLSearchParams(params).toString();
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok || !data) throw apiError(data, r);
        return data;
      });
    });
  }

  // ---------------------------------------------------------------- error box
  var errorBox = document.getElementById("error");
  function showError(title, message, help) {
    document.getElementById("error-title").textContent = title;
    document.getElementById("error-message").textContent = message || "";
    document.getElementById("error-help").textContent = help || "";
    errorBox.hidden = false;
    body.setAttribute("data-error", title);
  }
  function hideError() { errorBox.hidden = true; body.removeAttribute("data-error"); }
  document.getElementById("error-close").addEventListener("click", hideError);
  function explain(err, what) {
    var st = err.status ? " (" + err.status + ")" : "";
    showError("Could not " + what + st, err.message,
      err.status === 404 ? "The link may point to a node that is not in this graph: search for it instead." :
      err.status >= 400 && err.status < 500 ? "Check the link or search for what you wanted." : "Try again in a moment.");
  }

  // ---------------------------------------------------------------- renderer
  function tooltip(item) {
    if (item.node) {
      var n = item.node, st = styleOf(n.type);
      var lines = [(st.name || n.type) + (n.year ? " (" + n.year + ")" : "") + ": " + n.label];
      if (n.type === "paper") lines.push(plural(n.degree || 0, "linked entity").replace("entitys", "entities"));
      else if (n.type !== "other") lines.push(plural(n.degree || 0, "paper"));
      if (n.families && n.families.length) lines.push("architecture: " + n.families.join(", "));
      if (n.periods) lines.push(Object.keys(n.periods).map(function (p) { return p + ": " + n.periods[p]; }).join(", "));
      if (api && !expandedSet().has(n.id) && n.type !== "other") lines.push("click to open");
      return lines.join("\n");
    }
    var e = item.edge, a = R.getNode(e.from), b = R.getNode(e.to);
    var an = a ? a.label : e.from, bn = b ? b.label : e.to;
    if (a && b && b.type === "paper" && a.type !== "paper") { var t = an; an = bn; bn = t; }
    var text = an + " — " + relName(e.relation) + " — " + bn;
    if (e.weight) text += "\n" + plural(e.weight, "shared paper");
    if (e.confidence !== undefined && !e.weight) text += "\nconfidence " + Number(e.confidence).toFixed(2);
    return text;
  }
  var R = window.KGRenderer(container, {
    styles: cfg.styles, other: cfg.other,
    relations: Object.keys(cfg.relations).reduce(function (o, k) { o[k] = cfg.relations[k].color; return o; }, {}),
    tooltip: tooltip,
    onClick: function (item) {
      if (item && item.node) openNode(item.node.id);
      else if (!item) change({sel: null});
    },
    onDrag: function (n) { positions.set(n.id, {x: n.x, y: n.y}); },
    onHover: function (n) {  // fetch what a click would add while the pointer rests on the node
      if (!api || expandedSet().has(n.id) || n.type === "other") return;
      clearTimeout(prefetchTimer);
      prefetchTimer = setTimeout(function () { fetchPage(n.id, 1).catch(function () {}); }, 120);
    },
    onDraw: function () {  // the first frame is on screen: the page can be used
      if (body.getAttribute("data-stable")) return;
      window.kgStableAt = performance.now();
      body.setAttribute("data-stable", "1");
    }
  });
  var prefetchTimer = null;
  var base = {nodes: DATA.nodes, edges: DATA.edges};
  function copy(n) { return Object.assign({}, n); }
  R.setData(base.nodes.map(copy), base.edges.map(copy));
  R.rank();
  var positions = new Map();  // id → last position, so undo/redo put nodes back where they were
  base.nodes.forEach(function (n) { if (typeof n.x === "number") positions.set(n.id, {x: n.x, y: n.y}); });
  window.kgRenderer = R;  // for tests, benchmarks and the console

  // ---------------------------------------------------------------- state in the URL
  var BASE_PARAMS = ["view", "focus", "query", "limit"];
  function parseState(search) {
    var p = new URLSearchParams(search);
    var expanded = p.getAll("x").map(function (v) {
      var m = /^(\d+)~(.*)$/.exec(v);
      return m ? [m[2], Math.max(1, Math.min(200, parseInt(m[1], 10)))] : [v, 1];
    }).filter(function (e) { return e[0]; });
    function list(name) { return (p.get(name) || "").split(",").filter(Boolean); }
    return {expanded: expanded, removed: p.getAll("rm"), hide: list("hide"), hideroles: list("hideroles"),
            family: p.get("family") || "", sel: p.get("sel") || null};
  }
  function stateURL(s) {
    var p = new URLSearchParams(location.search), out = new URLSearchParams();
    BASE_PARAMS.forEach(function (k) { if (p.get(k)) out.set(k, p.get(k)); });
    s.expanded.forEach(function (e) { out.append("x", e[1] > 1 ? e[1] + "~" + e[0] : e[0]); });
    s.removed.forEach(function (id) { out.append("rm", id); });
    if (s.hide.length) out.set("hide", s.hide.join(","));
    if (s.hideroles.length) out.set("hideroles", s.hideroles.join(","));
    if (s.family) out.set("family", s.family);
    if (s.sel) out.set("sel", s.sel);
    var q = out.toString();
    return location.pathname + (q ? "?" + q : "");
  }
  var state = parseState("");
  var histIndex = 0, histTop = 0;
  function expandedSet() { return new Set(state.expanded.map(function (e) { return e[0]; })); }
  function pagesOf(id) { var e = state.expanded.find(function (x) { return x[0] === id; }); return e ? e[1] : 0; }

  var staticMode = !api || location.protocol === "file:";
  function change(patch) {  // a user action: the new state gets its own history entry
    var next = Object.assign({}, state, patch);
    if (!staticMode) {
      histIndex += 1; histTop = histIndex;
      try { history.pushState({kg: histIndex}, "", stateURL(next)); } catch (e) { /* sandboxed iframes */ }
    }
    return applyState(next, {animate: true});
  }
  window.addEventListener("popstate", function (ev) {
    histIndex = ev.state && typeof ev.state.kg === "number" ? ev.state.kg : 0;
    applyState(parseState(location.search), {animate: true});
  });
  function updateHistoryButtons() {
    var u = document.getElementById("undo"), r = document.getElementById("redo");
    if (u) u.disabled = histIndex <= 0;
    if (r) r.disabled = histIndex >= histTop;
  }

  // ---------------------------------------------------------------- expansions
  var cache = new Map();  // "iri|page" → {nodes, edges, summary}
  function fetchPage(iri, page) {
    var key = iri + "|" + page;
    if (!cache.has(key)) {
      cache.set(key, getJSON("/neighbours", {iri: iri, limit: PAGE, offset: (page - 1) * PAGE}).catch(function (err) {
        cache.delete(key); throw err;
      }));
    }
    return cache.get(key);
  }
  function fetchExpansion(iri, pages) {
    var ps = [];
    for (var i = 1; i <= pages; i++) ps.push(fetchPage(iri, i));
    return Promise.all(ps).then(function (list) {
      var out = {iri: iri, nodes: [], edges: [], summary: list[list.length - 1].summary};
      list.forEach(function (d) { out.nodes = out.nodes.concat(d.nodes); out.edges = out.edges.concat(d.edges); });
      out.shown = list.reduce(function (a, d) { return a + (d.summary.shown || 0); }, 0);
      return out;
    });
  }
  var expansionInfo = new Map();  // iri → {shown, total}

  // ---------------------------------------------------------------- apply a state (diff against what is drawn)
  var applying = Promise.resolve(), version = 0;
  function applyState(target, o) {
    var mine = ++version;
    body.setAttribute("data-busy", "1");
    applying = applying.catch(function () {}).then(function () {
      if (mine !== version) return null;  // a newer state is on its way
      return doApply(target, o || {});
    }).then(function () {
      if (mine === version) body.setAttribute("data-busy", "0");
    }, function (err) {
      body.setAttribute("data-busy", "0");
      throw err;
    });
    return applying;
  }
  function doApply(target, o) {
    var wanted = api ? target.expanded : [];
    return Promise.all(wanted.map(function (e) {
      return fetchExpansion(e[0], e[1]).then(null, function (err) { err.iri = e[0]; return err; });
    })).then(function (results) {
      var failed = results.filter(function (r) { return r instanceof Error; });
      results = results.filter(function (r) { return !(r instanceof Error); });
      if (failed.length) {
        explain(failed[0], "open " + failed[0].iri);
        var bad = new Set(failed.map(function (f) { return f.iri; }));
        target = Object.assign({}, target, {expanded: target.expanded.filter(function (e) { return !bad.has(e[0]); })});
        if (target.sel && bad.has(target.sel)) target.sel = null;
        if (!staticMode) try { history.replaceState(history.state, "", stateURL(target)); } catch (e) { /* ignore */ }
      }
      var want = new Map(), parent = new Map(), order = [];
      base.nodes.forEach(function (n) { want.set(n.id, n); order.push(n.id); });
      var wantEdges = new Map();
      base.edges.forEach(function (e) { wantEdges.set(e.id, e); });
      results.forEach(function (x) {
        expansionInfo.set(x.iri, {shown: x.shown, total: x.summary.total});
        x.nodes.forEach(function (n) {
          if (!want.has(n.id)) { want.set(n.id, n); parent.set(n.id, x.iri); order.push(n.id); }
        });
        x.edges.forEach(function (e) { if (!wantEdges.has(e.id)) wantEdges.set(e.id, e); });
      });
      var removed = new Set(target.removed);
      removed.forEach(function (id) { want.delete(id); });
      // remove what is no longer wanted
      var gone = R.nodes().filter(function (n) { return !want.has(n.id); }).map(function (n) { return n.id; });
      gone.forEach(function (id) { var n = R.getNode(id); positions.set(id, {x: n.x, y: n.y}); });
      if (gone.length) R.removeNodes(gone);
      // add what is missing, grouped by the expansion that brought it, in order
      var fresh = [];
      var groups = new Map();
      order.forEach(function (id) {
        if (!want.has(id) || R.getNode(id)) return;
        var rec = copy(want.get(id)), pos = positions.get(id);
        if (pos) { rec.x = pos.x; rec.y = pos.y; R.addNodes([rec]); return; }
        var par = parent.get(id) || null;
        if (!groups.has(par)) groups.set(par, []);
        groups.get(par).push(rec);
      });
      var relaxations = [], added = [];
      groups.forEach(function (recs, par) {
        // the expanded node itself first, if it was not drawn (a search hit): beside its drawn neighbours or the drawing
        var own = recs.filter(function (r) { return r.id === par; });
        own.forEach(function (r) { placeAlone(r, wantEdges); added.push(r); fresh.push(r.id); });
        var rest = recs.filter(function (r) { return r.id !== par; });
        var centre = R.getNode(par) || own[0] || {x: 0, y: 0};
        var ring = 70 + 9 * Math.sqrt(rest.length);
        rest.forEach(function (r, i) {
          var a = 2 * Math.PI * i / Math.max(rest.length, 1) + 0.3;
          r.x = centre.x + ring * Math.cos(a); r.y = centre.y + ring * Math.sin(a);
          added.push(r); fresh.push(r.id);
        });
        var ids = own.map(function (r) { return r.id; }).concat(rest.map(function (r) { return r.id; }));
        if (ids.length) relaxations.push(ids);
      });
      if (added.length) R.addNodes(added);
      R.addEdges(Array.from(wantEdges.values()).map(copy));
      R.rank();
      if (added.length) {  // the new nodes are on screen now; the relaxation below only moves them
        R.drawNow();
        window.kgExpandShownAt = performance.now();
      }
      // relax each group in order; only the last one is animated
      var chain = Promise.resolve();
      relaxations.forEach(function (ids, i) {
        var last = i === relaxations.length - 1;
        chain = chain.then(function () { return R.relax(ids, {animate: !!(o.animate && last)}); });
      });
      return chain.then(function () {
        fresh.forEach(function (id) { var n = R.getNode(id); if (n) positions.set(id, {x: n.x, y: n.y}); });
        var filtersChanged = target.hide.join() !== state.hide.join() || target.hideroles.join() !== state.hideroles.join() ||
          target.family !== state.family;
        state = target;
        syncControls();
        applyFilters();
        var sel = state.sel && R.getNode(state.sel) ? state.sel : null;
        R.select(sel);
        if (sel) {
          openDetails(sel);
          R.focus(sel, !!o.animate);
        } else {
          closeDetails();
          if (filtersChanged || o.fit) R.fit(null, !!o.animate);
        }
        body.setAttribute("data-expanded", String(state.expanded.length));
        body.setAttribute("data-state", stateURL(state));
        updateHistoryButtons();
        reportExpansion();
      });
    });
  }
  function placeAlone(rec, wantEdges) {
    var xs = [], ys = [];
    wantEdges.forEach(function (e) {
      var other = e.from === rec.id ? e.to : e.to === rec.id ? e.from : null;
      var n = other && R.getNode(other);
      if (n) { xs.push(n.x); ys.push(n.y); }
    });
    if (xs.length) {
      rec.x = xs.reduce(function (a, b) { return a + b; }, 0) / xs.length + 40;
      rec.y = ys.reduce(function (a, b) { return a + b; }, 0) / ys.length + 40;
      return;
    }
    var x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    R.nodes().forEach(function (n) { if (!n.hidden) { x1 = Math.max(x1, n.x); y0 = Math.min(y0, n.y); y1 = Math.max(y1, n.y); } });
    rec.x = isFinite(x1) ? x1 + 250 : 0;
    rec.y = isFinite(y0) ? (y0 + y1) / 2 : 0;
  }
  function reportExpansion() {
    var sel = state.sel, info = sel && expansionInfo.get(sel);
    var more = document.getElementById("show-more");
    if (info && more) {
      more.hidden = !(info.total > info.shown);
      document.getElementById("drawn-count").textContent = info.shown + " of " + info.total + " neighbours drawn";
    }
    if (info) status((R.getNode(sel) || {}).label + ": " + info.shown + " of " + info.total + " neighbours drawn" +
      (info.total > info.shown ? " — “Show more” in the details panel adds " + PAGE + " more" : ""));
  }

  // ---------------------------------------------------------------- actions
  function openNode(id) {  // select; open (expand) it too if it was not
    if (!api) return change({sel: id});
    var exp = state.expanded.slice();
    var n = R.getNode(id);
    if (!expandedSet().has(id) && (!n || n.type !== "other")) exp.push([id, 1]);
    return change({expanded: exp, sel: id, removed: state.removed.filter(function (r) { return r !== id; })});
  }
  function showMore(id) {
    return change({expanded: state.expanded.map(function (e) { return e[0] === id ? [e[0], e[1] + 1] : e; })});
  }
  function collapse(id) {
    return change({expanded: state.expanded.filter(function (e) { return e[0] !== id; })});
  }
  function removeNode(id) {
    return change({removed: state.removed.concat([id]), sel: state.sel === id ? null : state.sel,
                   expanded: state.expanded.filter(function (e) { return e[0] !== id; })});
  }
  window.kgOpen = openNode;

  // ---------------------------------------------------------------- details panel
  var details = document.getElementById("details");
  var detailsBody = document.getElementById("details-body");
  var PANEL = 390;
  document.getElementById("details-close").addEventListener("click", function () { change({sel: null}); });
  function closeDetails() {
    details.hidden = true;
    R.setInsets({right: 0});
    body.removeAttribute("data-details");
  }
  function nodeLink(iri, text, type) {
    var li = el("li");
    if (type) li.appendChild(badge(type));
    if (api || R.getNode(iri)) {
      var a = el("a", {className: "node-link", "data-iri": iri, href: "#"}, text);
      a.addEventListener("click", function (ev) { ev.preventDefault(); openNode(iri); });
      li.appendChild(a);
    } else {
      li.appendChild(el("span", null, text));
    }
    return li;
  }
  function segments(target, segs) {
    segs.forEach(function (s) {
      if (s.highlight) {
        var m = el("mark", {className: "evidence role-" + (s.role || "other"), "data-entity": s.entity || "",
                            "data-role": s.role || "",
                            title: relName(s.role || "") + ": " + (s.label || "") + " (" + ((styleOf(s.type).name) || s.type || "") + ")"}, s.text);
        m.style.borderBottomColor = (cfg.relations[s.role] || {}).color || "#999";
        if (s.entity && (api || R.getNode(s.entity))) m.addEventListener("click", function () { openNode(s.entity); });
        target.appendChild(m);
      } else {
        target.appendChild(document.createTextNode(s.text));
      }
    });
  }
  function roleKey(segs) {  // which roles the highlighted evidence carries, as a small legend
    var roles = [];
    segs.forEach(function (s) { if (s.highlight && s.role && roles.indexOf(s.role) < 0) roles.push(s.role); });
    var p = el("p", {className: "role-key"});
    roles.forEach(function (r) {
      var k = el("mark", {className: "evidence role-" + r}, relName(r));
      k.style.borderBottomColor = (cfg.relations[r] || {}).color || "#999";
      p.appendChild(k);
      p.appendChild(document.createTextNode(" "));
    });
    return p;
  }
  function safeUrl(u) {
    try { var p = new URL(u); return (p.protocol === "http:" || p.protocol === "https:") ? p.href : null; }
    catch (e) { return null; }
  }
  function nodeActions(id) {
    var bar = el("p", {className: "actions"});
    function button(text, fn, attrs) {
      var b = el("button", Object.assign({type: "button"}, attrs || {}), text);
      b.addEventListener("click", fn);
      bar.appendChild(b);
      return b;
    }
    button("Centre", function () { R.focus(id, true); }, {id: "centre-node"});
    if (api && expandedSet().has(id)) {
      button("Show more", function () { showMore(id); }, {id: "show-more", hidden: "hidden"});
      button("Collapse", function () { collapse(id); }, {id: "collapse-node", title: "Remove what opening this node added"});
    }
    if (api) button("Remove", function () { removeNode(id); }, {id: "remove-node", title: "Take this node off the drawing"});
    bar.appendChild(el("span", {id: "drawn-count", className: "meta"}));
    return bar;
  }
  function showPaper(d) {
    detailsBody.appendChild(badge("paper"));
    var h = el("h1", {id: "details-title"});
    segments(h, d.title_segments || [{text: d.title}]);
    detailsBody.appendChild(h);
    var meta = [];
    if (d.year) meta.push(String(d.year));
    if (d.authors && d.authors.length) meta.push(d.authors.join(", "));
    if (meta.length) detailsBody.appendChild(el("p", {className: "meta"}, meta.join(" · ")));
    var url = d.url && safeUrl(d.url);
    if (url) { var p = el("p", {className: "meta"}); p.appendChild(el("a", {href: url, rel: "noopener noreferrer"}, url)); detailsBody.appendChild(p); }
    detailsBody.appendChild(nodeActions(d.iri));
    var segs = (d.title_segments || []).concat(d.abstract_segments || []);
    detailsBody.appendChild(el("h2", null, "Abstract — evidence marked by role"));
    detailsBody.appendChild(roleKey(segs));
    var abs = el("p", {id: "abstract"});
    segments(abs, d.abstract_segments || [{text: d.abstract || ""}]);
    detailsBody.appendChild(abs);
    var roles = el("div", {id: "roles"});
    Object.keys(d.roles || {}).forEach(function (role) {
      roles.appendChild(el("h2", {"data-role": role}, relName(role)));
      var ul = el("ul", {"data-role": role});
      d.roles[role].forEach(function (e) {
        var li = nodeLink(e.iri, e.label, e.type);
        li.appendChild(el("span", {className: "matched"}, "confidence " + Number(e.confidence).toFixed(2)));
        ul.appendChild(li);
      });
      roles.appendChild(ul);
    });
    detailsBody.appendChild(roles);
  }
  function paperItem(p) {
    var li = nodeLink(p.iri, p.title + (p.year ? " (" + p.year + ")" : ""));
    li.appendChild(el("span", {className: "matched"}, relName(p.role) + " · " + Number(p.confidence).toFixed(2)));
    return li;
  }
  function showEntity(d) {
    detailsBody.appendChild(badge(d.type));
    detailsBody.appendChild(el("h1", {id: "details-title"}, d.label));
    if (d.families && d.families.length) detailsBody.appendChild(el("p", {className: "meta"}, "architecture family: " + d.families.join(", ")));
    if (d.comment) detailsBody.appendChild(el("p", {className: "meta"}, d.comment));
    detailsBody.appendChild(nodeActions(d.iri));
    if (d.aliases && d.aliases.length) {  // a few names, the rest one click away
      detailsBody.appendChild(el("h2", null, "Also called"));
      var al = el("p", {id: "aliases"}, d.aliases.slice(0, 8).join(" · "));
      if (d.aliases.length > 8) {
        var all = el("button", {type: "button", className: "link"}, "and " + (d.aliases.length - 8) + " more");
        all.addEventListener("click", function () { al.textContent = d.aliases.join(" · "); });
        al.appendChild(document.createTextNode(" "));
        al.appendChild(all);
      }
      detailsBody.appendChild(al);
    }
    var h = el("h2", null, "Papers: ");
    h.appendChild(el("span", {id: "paper-count"}, d.paper_count));
    detailsBody.appendChild(h);
    var ul = el("ul", {id: "papers"});
    (d.papers || []).forEach(function (p) { ul.appendChild(paperItem(p)); });
    detailsBody.appendChild(ul);
    var shown = (d.papers || []).length;
    if (api && d.papers_total > shown) {
      var more = el("button", {type: "button", id: "more-papers"}, "More papers (" + shown + " of " + d.papers_total + " listed)");
      more.addEventListener("click", function () {
        more.disabled = true;
        getJSON("/node", {iri: d.iri, offset: ul.children.length, limit: 50}).then(function (next) {
          (next.papers || []).forEach(function (p) { ul.appendChild(paperItem(p)); });
          var n = ul.children.length;
          more.textContent = "More papers (" + n + " of " + d.papers_total + " listed)";
          more.disabled = false;
          more.hidden = n >= d.papers_total || !(next.papers || []).length;
        }, function (err) { more.disabled = false; explain(err, "list more papers"); });
      });
      detailsBody.appendChild(more);
    } else if (d.papers_total > shown) {
      detailsBody.appendChild(el("p", {className: "meta"}, shown + " of " + d.papers_total + " papers listed in this file"));
    }
    if (d.related && d.related.length) {
      detailsBody.appendChild(el("h2", null, d.type === "architecture" ? "Methods built on it" : "Architecture"));
      var rl = el("ul", {id: "related"});
      d.related.forEach(function (r) { rl.appendChild(nodeLink(r.iri, r.label, r.type)); });
      detailsBody.appendChild(rl);
    }
  }
  function showLocal(id) {  // static export without embedded details: what the drawn node carries
    var n = R.getNode(id) || {};
    detailsBody.appendChild(badge(n.type || "other"));
    detailsBody.appendChild(el("h1", {id: "details-title"}, n.label || id));
    detailsBody.appendChild(el("p", {className: "meta"}, tooltip({node: n})));
    detailsBody.appendChild(nodeActions(id));
    detailsBody.appendChild(el("p", {className: "meta iri"}, id));
  }
  var detailsSeq = 0;
  function openDetails(id) {
    details.hidden = false;
    R.setInsets({right: PANEL});
    if (body.getAttribute("data-details") === id && detailsBody.childNodes.length) { reportExpansion(); return Promise.resolve(); }
    var mine = ++detailsSeq;
    detailsBody.textContent = "";
    body.removeAttribute("data-details");
    function render(d) {
      if (mine !== detailsSeq) return;
      detailsBody.textContent = "";
      if (d && d.type === "paper") showPaper(d); else if (d) showEntity(d); else showLocal(id);
      body.setAttribute("data-details", id);
      reportExpansion();
    }
    if (!api) { render(cfg.details && cfg.details[id]); return Promise.resolve(); }
    detailsBody.appendChild(el("p", {className: "meta"}, "loading…"));
    return getJSON("/node", {iri: id}).then(render, function (err) {
      if (mine !== detailsSeq) return;
      detailsBody.textContent = "";
      detailsBody.appendChild(el("p", {className: "meta"}, "no details: " + err.message));
    });
  }

  // ---------------------------------------------------------------- search (keyboard: ↑ ↓ Enter Escape)
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  var timer = null, seq = 0, limit = 20, active = -1;
  function hitItems() { return Array.prototype.slice.call(results.querySelectorAll("li.hit, li.more")); }
  function setActive(i) {
    var items = hitItems();
    if (!items.length) return;
    active = (i + items.length) % items.length;
    items.forEach(function (li, k) { li.classList.toggle("active", k === active); li.setAttribute("aria-selected", k === active ? "true" : "false"); });
    items[active].scrollIntoView({block: "nearest"});
  }
  function pick(li) {
    if (!li) return;
    if (li.classList.contains("more")) { limit += 20; runSearch(true); return; }
    results.hidden = true;
    search.blur();
    openNode(li.getAttribute("data-iri"));
  }
  function renderHits(hits, more, keep) {
    var was = active;
    results.textContent = "";
    active = -1;
    if (!hits.length) results.appendChild(el("li", {className: "none"}, "no match"));
    hits.forEach(function (h) {
      var li = el("li", {className: "hit", "data-iri": h.iri, role: "option"});
      li.appendChild(badge(h.type));
      li.appendChild(el("span", {className: "hit-label"}, h.label));
      if (h.year) li.appendChild(el("span", {className: "matched year"}, h.year));
      if (h.matched && h.matched !== h.label) li.appendChild(el("span", {className: "matched"}, "also called " + h.matched));
      if (h.type !== "paper" && h.papers !== null && h.papers !== undefined) li.appendChild(el("span", {className: "matched"}, "· " + plural(h.papers, "paper")));
      if (R.getNode(h.iri)) li.appendChild(el("span", {className: "matched drawn"}, "· drawn"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(li); });
      results.appendChild(li);
    });
    if (more) results.appendChild(el("li", {className: "more", role: "option"}, "more results…"));
    results.hidden = false;
    if (keep && was >= 0) setActive(Math.min(was, hitItems().length - 1));
  }
  function localHits(q) {
    var needle = q.toLowerCase();
    return R.nodes().filter(function (n) { return String(n.label || "").toLowerCase().indexOf(needle) >= 0; })
      .slice(0, limit).map(function (n) { return {iri: n.id, label: n.label, type: n.type, year: n.year, papers: n.type === "paper" ? null : n.degree}; });
  }
  function runSearch(keep) {
    var q = search.value.trim();
    if (q.length < 2) { results.hidden = true; return Promise.resolve(); }
    var mine = ++seq;
    if (!api) { var hs = localHits(q); renderHits(hs, hs.length >= limit, keep); body.setAttribute("data-search", q); return Promise.resolve(); }
    return getJSON("/search", {q: q, limit: limit}).then(function (data) {
      if (mine !== seq) return;
      renderHits(data.results, data.results.length >= limit, keep);
      body.setAttribute("data-search", q);
    }, function (err) { explain(err, "search"); });
  }
  search.addEventListener("input", function () { clearTimeout(timer); limit = 20; timer = setTimeout(runSearch, 150); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (results.hidden) { runSearch(); return; }
      setActive(active + (ev.key === "ArrowDown" ? 1 : -1));
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      clearTimeout(timer);
      if (active >= 0 && !results.hidden) { pick(hitItems()[active]); return; }
      runSearch().then(function () { var items = hitItems(); if (items.length && items[0].classList.contains("hit")) pick(items[0]); });
    } else if (ev.key === "Escape") {
      results.hidden = true;
    }
  });
  search.addEventListener("blur", function () { setTimeout(function () { results.hidden = true; }, 150); });

  // ---------------------------------------------------------------- filters (they report, leave no orphans, re-fit)
  var family = document.getElementById("family");
  (cfg.families || []).forEach(function (f) { family.appendChild(el("option", {value: f}, f)); });
  var legend = document.getElementById("legend"), rolesEl = document.getElementById("roles-filter");
  var drawnTypes = {}, drawnRoles = {};
  base.nodes.forEach(function (n) { drawnTypes[n.type] = true; });
  base.edges.forEach(function (e) { drawnRoles[e.relation] = true; });
  Object.keys(cfg.styles).forEach(function (t) {
    var st = cfg.styles[t];
    var li = el("li"), label = el("label", {className: "filter-type"});
    var box = el("input", {type: "checkbox", "data-type": t});
    box.checked = true;
    var sw = el("i", {className: "swatch shape-" + st.shape});
    sw.style.background = st.color;
    label.appendChild(box); label.appendChild(sw); label.appendChild(el("span", null, st.name));
    label.appendChild(el("small", {className: "type-count", "data-type": t}));
    li.appendChild(label); legend.appendChild(li);
    box.addEventListener("change", function () {
      change({hide: Object.keys(cfg.styles).filter(function (k) { return !legend.querySelector('input[data-type="' + k + '"]').checked; })});
    });
  });
  Object.keys(cfg.relations).forEach(function (r) {
    if (!drawnRoles[r] && ["coOccursWith", "datasetTask"].indexOf(r) >= 0) return;
    var rel = cfg.relations[r];
    var li = el("li"), label = el("label", {className: "filter-role"});
    var box = el("input", {type: "checkbox", "data-role": r});
    box.checked = true;
    var line = el("i", {className: "line"});
    line.style.background = rel.color;
    label.appendChild(box); label.appendChild(line); label.appendChild(el("span", null, rel.name));
    li.appendChild(label); rolesEl.appendChild(li);
    box.addEventListener("change", function () {
      change({hideroles: Object.keys(cfg.relations).filter(function (k) {
        var b = rolesEl.querySelector('input[data-role="' + k + '"]'); return b && !b.checked; })});
    });
  });
  family.addEventListener("change", function () { change({family: family.value}); });
  function syncControls() {
    legend.querySelectorAll("input[data-type]").forEach(function (b) { b.checked = state.hide.indexOf(b.getAttribute("data-type")) < 0; });
    rolesEl.querySelectorAll("input[data-role]").forEach(function (b) { b.checked = state.hideroles.indexOf(b.getAttribute("data-role")) < 0; });
    family.value = state.family;
  }
  function applyFilters() {
    var hideType = new Set(state.hide), hideRole = new Set(state.hideroles), fam = state.family;
    var nodes = R.nodes(), edges = R.edges();
    var keep = null;
    if (fam) {  // nodes of the family, the papers next to them, and those papers' other entities
      keep = new Set();
      var papers = new Set();
      nodes.forEach(function (n) { if ((n.families || []).indexOf(fam) >= 0) { keep.add(n.id); if (n.type === "paper") papers.add(n.id); } });
      edges.forEach(function (e) {
        [[e.from, e.to], [e.to, e.from]].forEach(function (p) {
          var a = R.getNode(p[0]);
          if (keep.has(p[1]) && a && a.type === "paper") papers.add(p[0]);
        });
      });
      papers.forEach(function (p) { keep.add(p); });
      edges.forEach(function (e) {
        if (papers.has(e.from)) keep.add(e.to);
        if (papers.has(e.to)) keep.add(e.from);
      });
    }
    nodes.forEach(function (n) { n.hidden = hideType.has(n.type) || (keep !== null && !keep.has(n.id)); });
    var degree = new Map(), had = new Map();
    edges.forEach(function (e) {
      had.set(e.from, true); had.set(e.to, true);
      var a = R.getNode(e.from), b = R.getNode(e.to);
      e.hidden = hideRole.has(e.relation) || !a || !b || a.hidden || b.hidden;
      if (!e.hidden) { degree.set(e.from, (degree.get(e.from) || 0) + 1); degree.set(e.to, (degree.get(e.to) || 0) + 1); }
    });
    var filtering = hideType.size || hideRole.size || fam;
    if (filtering) {  // no orphans: a node whose every link is filtered away goes too
      nodes.forEach(function (n) { if (!n.hidden && had.get(n.id) && !degree.get(n.id) && n.id !== state.sel) n.hidden = true; });
    }
    var shown = nodes.filter(function (n) { return !n.hidden; }).length;
    var shownEdges = edges.filter(function (e) { return !e.hidden && !R.getNode(e.from).hidden && !R.getNode(e.to).hidden; }).length;
    var perType = {};
    nodes.forEach(function (n) { if (!n.hidden) perType[n.type] = (perType[n.type] || 0) + 1; });
    legend.querySelectorAll(".type-count").forEach(function (s) { var c = perType[s.getAttribute("data-type")]; s.textContent = c ? " " + c : ""; });
    document.getElementById("counts").textContent = shown === nodes.length ?
      plural(nodes.length, "node") + ", " + plural(shownEdges, "link") :
      shown + " of " + nodes.length + " nodes visible, " + plural(shownEdges, "link");
    body.setAttribute("data-visible", String(shown));
    body.setAttribute("data-total", String(nodes.length));
    R.redraw();
  }
  window.kgApplyFilters = applyFilters;

  // ---------------------------------------------------------------- tools: undo/redo, fit, re-layout, downloads
  function on(id, fn) { var b = document.getElementById(id); if (b) b.addEventListener("click", fn); }
  on("undo", function () { if (histIndex > 0) history.back(); });
  on("redo", function () { if (histIndex < histTop) history.forward(); });
  on("fit", function () { R.fit(null, true); });
  on("relayout", function () {
    var ids = R.nodes().filter(function (n) { return !n.hidden; }).map(function (n) { return n.id; });
    status("laying out " + ids.length + " nodes…");
    R.relax(ids, {iterations: ids.length > 1500 ? 25 : 80}).then(function () {
      ids.forEach(function (id) { var n = R.getNode(id); positions.set(id, {x: n.x, y: n.y}); });
      R.fit(null, true);
      status("laid out again");
    });
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target && ev.target.tagName;
    if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA") return;
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "z") {
      ev.preventDefault();
      if (ev.shiftKey) { if (histIndex < histTop) history.forward(); } else if (histIndex > 0) history.back();
    } else if (ev.key === "/") { ev.preventDefault(); search.focus(); }
    else if (ev.key === "Escape") { if (state.sel) change({sel: null}); }
  });
  function download(name, href) {
    var a = el("a", {href: href, download: name});
    document.body.appendChild(a); a.click(); a.remove();
  }
  on("download-png", function () { download("kg-graph.png", R.toPNG()); });
  function xml(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}[c]; })
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
  }
  function graphml() {
    var out = ['<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
      '<key id="label" for="node" attr.name="label" attr.type="string"/>',
      '<key id="type" for="node" attr.name="type" attr.type="string"/>',
      '<key id="degree" for="node" attr.name="degree" attr.type="int"/>',
      '<key id="year" for="node" attr.name="year" attr.type="int"/>',
      '<key id="x" for="node" attr.name="x" attr.type="double"/>',
      '<key id="y" for="node" attr.name="y" attr.type="double"/>',
      '<key id="relation" for="edge" attr.name="relation" attr.type="string"/>',
      '<key id="confidence" for="edge" attr.name="confidence" attr.type="double"/>',
      '<key id="weight" for="edge" attr.name="weight" attr.type="double"/>',
      '<graph id="kg" edgedefault="undirected">'];
    R.nodes().forEach(function (n) {
      if (n.hidden) return;
      out.push('<node id="' + xml(n.id) + '"><data key="label">' + xml(n.label) + '</data><data key="type">' + xml(n.type) +
        '</data><data key="degree">' + (n.degree || 0) + '</data>' + (n.year ? '<data key="year">' + n.year + '</data>' : "") +
        '<data key="x">' + n.x.toFixed(1) + '</data><data key="y">' + n.y.toFixed(1) + '</data></node>');
    });
    R.edges().forEach(function (e) {
      if (e.hidden || R.getNode(e.from).hidden || R.getNode(e.to).hidden) return;
      out.push('<edge source="' + xml(e.from) + '" target="' + xml(e.to) + '"><data key="relation">' + xml(e.relation) + '</data>' +
        (e.confidence !== undefined ? '<data key="confidence">' + e.confidence + '</data>' : "") +
        (e.weight !== undefined ? '<data key="weight">' + e.weight + '</data>' : "") + '</edge>');
    });
    out.push("</graph>", "</graphml>");
    return out.join("\n");
  }
  window.kgGraphML = graphml;
  on("download-graphml", function () {
    var url = URL.createObjectURL(new Blob([graphml()], {type: "application/graphml+xml"}));
    download("kg-graph.graphml", url);
    setTimeout(function () { URL.revokeObjectURL(url); }, 5000);
  });

  // ---------------------------------------------------------------- views and trends
  var viewSel = document.getElementById("view");
  if (viewSel) {
    if (!cfg.views[cfg.view]) {  // a node's neighbourhood or a CONSTRUCT result: say so, keep the others one pick away
      var here = el("option", {value: cfg.view}, cfg.view === "construct" ? "A CONSTRUCT query's graph" : "One node's neighbourhood");
      here.disabled = true;
      viewSel.insertBefore(here, viewSel.firstChild);
    }
    viewSel.value = cfg.view;
    viewSel.addEventListener("change", function () { location.assign("/graph?view=" + encodeURIComponent(viewSel.value)); });
  }
  if (cfg.trends) {
    var tr = document.getElementById("trends"), tb = document.getElementById("trends-body");
    tr.hidden = false;
    if (cfg.trends.message) tb.appendChild(el("p", {className: "meta"}, cfg.trends.message));
    else {
      var table = el("table", {id: "trend-table"}), head = el("tr");
      head.appendChild(el("th", null, "family"));
      cfg.trends.periods.forEach(function (p) { head.appendChild(el("th", null, p)); });
      table.appendChild(head);
      var max = 1;
      cfg.trends.rows.forEach(function (r) { r.counts.forEach(function (c) { max = Math.max(max, c); }); });
      cfg.trends.rows.forEach(function (r) {
        var tr2 = el("tr");
        tr2.appendChild(el("td", null, r.label));
        r.counts.forEach(function (c) {
          var td = el("td", {className: "bar", title: r.label + ": " + plural(c, "paper")}, c || "");
          td.style.background = "rgba(23,190,207," + (0.1 + 0.8 * c / max).toFixed(2) + ")";
          tr2.appendChild(td);
        });
        table.appendChild(tr2);
      });
      tb.appendChild(table);
    }
  }

  // ---------------------------------------------------------------- first view
  var summary = cfg.summary || {};
  if (DATA.error) {
    showError(DATA.error.status ? "Error " + DATA.error.status + ": " + (DATA.error.code || "").replace(/_/g, " ") : "Error",
              DATA.error.message, "Open the overview from the kg link, or search for what you wanted.");
  } else if (summary.view === "construct" && !base.nodes.length) {
    showError("The CONSTRUCT query built an empty graph", "Nothing to draw: the query matched no triples.",
              "Check the query in the query editor (/query) first.");
  }
  if (summary.view === "entities") status("the most-studied entities, linked when papers share them — click one to open its papers, or search");
  else if (summary.view === "focus" && summary.total > summary.shown) status(summary.shown + " of " + summary.total + " neighbours drawn");
  else if (summary.cut) status("the CONSTRUCT result was cut at " + base.nodes.length + " nodes");
  else if (summary.note) status(summary.note);
  var start = parseState(location.search);
  if (cfg.focus && !start.sel && R.getNode(cfg.focus)) start.sel = cfg.focus;
  if (cfg.focus) expansionInfo.set(cfg.focus, {shown: summary.shown, total: summary.total});
  if (!staticMode) try { history.replaceState({kg: 0}, "", stateURL(start)); } catch (e) { /* ignore */ }
  R.fit(null, false);
  applyState(start, {animate: false, fit: !start.sel}).then(function () {
    body.setAttribute("data-ready", "1");
    var q = new URLSearchParams(location.search).get("q");  // from the landing page's search box
    if (q) { search.value = q; search.focus(); runSearch(); }
  });
})();
