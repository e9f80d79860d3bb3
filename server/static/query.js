/* The /query page: YASGUI (vendored) pointed at our endpoint, the example buttons, and two result plugins that make
 * answers read: "kgtable" (literals as their values, IRIs abbreviated with prefixes, IRIs of our graph linked to
 * /graph?focus=…, row numbers in their own column) and "kgerror" (the endpoint's JSON error as a sentence).
 *
 * Input: <script id="kg-query-config" type="application/json"> {endpoint, examples, initial, prefixes, resourceBase}.
 * Every text from a result is shown with textContent, never as HTML. No inline code: a strict CSP holds.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("kg-query-config").textContent);
  cfg.endpoint = new URL(cfg.endpoint, window.location.href).href;  // relative unless public_url is set
  var MAX_ROWS = 2000;  // drawn at once; the count says how many more there are
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|unsignedInt)$/;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function prefixes(yasr) {
    var out = Object.assign({}, cfg.prefixes);
    try {
      var q = window.kgYasgui.getTab().getYasqe().getPrefixesFromQuery();
      Object.keys(q || {}).forEach(function (k) { if (!(k in out)) out[k] = q[k]; });
    } catch (e) { /* no editor yet */ }
    return out;
  }
  function abbreviate(iri, pfx) {
    var best = null;
    Object.keys(pfx).forEach(function (k) {
      var ns = pfx[k];
      if (ns && iri.indexOf(ns) === 0 && iri.length > ns.length && (!best || ns.length > pfx[best].length)) best = k;
    });
    return best === null ? iri : best + ":" + iri.slice(pfx[best].length);
  }
  function cell(b, pfx) {
    var td = el("td");
    if (!b) return td;
    if (b.type === "uri") {
      var text = abbreviate(b.value, pfx);
      if (b.value.indexOf(cfg.resourceBase) === 0 && b.value.slice(cfg.resourceBase.length, cfg.resourceBase.length + 6) !== "graph/") {
        var a = el("a", "iri graph-link", text);
        a.href = "/graph?focus=" + encodeURIComponent(b.value);
        a.title = b.value + " — open in the graph view";
        td.appendChild(a);
      } else {
        var s = el("span", "iri", text);
        s.title = b.value;
        td.appendChild(s);
      }
    } else if (b.type === "bnode") {
      td.appendChild(el("span", "bnode", "_:" + b.value));
    } else {
      var lit = el("span", "literal", b.value);
      var dt = b.datatype || "";
      if (NUMERIC.test(dt)) td.className = "num";
      if (dt) lit.title = abbreviate(dt, pfx);
      if (b["xml:lang"]) lit.title = "@" + b["xml:lang"];
      td.appendChild(lit);
    }
    return td;
  }

  function KgTable(yasr) { this.yasr = yasr; this.priority = 30; this.label = "Table"; }
  KgTable.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    return !!r && !r.getError() && !!r.getVariables && !!r.getVariables() && r.getVariables().length > 0;
  };
  KgTable.prototype.getIcon = function () { return el("span", "kg-icon", "▦"); };
  KgTable.prototype.draw = function () {
    var vars = this.yasr.results.getVariables(), rows = this.yasr.results.getBindings() || [];
    var pfx = prefixes(this.yasr);
    var wrap = el("div", "kg-results");
    wrap.appendChild(el("p", "kg-count", rows.length + (rows.length === 1 ? " row" : " rows") +
      (rows.length > MAX_ROWS ? " (the first " + MAX_ROWS + " shown; download for all)" : "")));
    var table = el("table", "kg-table"), head = el("tr");
    head.appendChild(el("th", "row-num", "#"));
    vars.forEach(function (v) { head.appendChild(el("th", null, v)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var tbody = el("tbody");
    rows.slice(0, MAX_ROWS).forEach(function (r, i) {
      var tr = el("tr");
      tr.appendChild(el("td", "row-num", i + 1));
      vars.forEach(function (v) { tr.appendChild(cell(r[v], pfx)); });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    this.yasr.resultsEl.appendChild(wrap);
  };

  function KgError(yasr) { this.yasr = yasr; this.priority = 40; this.hideFromSelection = true; }
  KgError.prototype.canHandleResults = function () { return !!this.yasr.results && !!this.yasr.results.getError(); };
  KgError.prototype.draw = function () {
    var r = this.yasr.results, err = r.getError() || {}, body = null;
    [function () { return r.getOriginalResponseAsString(); }, function () { return err.text; }].forEach(function (get) {
      if (body && body.error) return;
      try { body = JSON.parse(get() || "null"); } catch (x) { body = null; }
    });
    var e = body && body.error;
    var box = el("div", "kg-error");
    box.setAttribute("role", "alert");
    var status = (e && e.status) || err.status;
    box.appendChild(el("strong", null, status ? "The query failed (" + status + (e && e.code ? ", " + e.code.replace(/_/g, " ") : "") + ")" :
      "The endpoint could not be reached"));
    box.appendChild(el("p", "kg-error-message", (e && e.message) || err.statusText || err.text || "no answer"));
    if (status === 400) box.appendChild(el("p", "kg-error-help", "Check the query's syntax near the place the message names."));
    else if (status === 503) box.appendChild(el("p", "kg-error-help", "The query ran out of time: add a LIMIT or narrow its patterns."));
    this.yasr.resultsEl.appendChild(box);
  };

  Yasgui.Yasr.registerPlugin("kgtable", KgTable);
  Yasgui.Yasr.registerPlugin("kgerror", KgError);
  if (Yasgui.Yasr.defaults.plugins.table) Yasgui.Yasr.defaults.plugins.table.enabled = false;  // ours replaces it
  // Offline: no prefix.cc / LOV look-ups (the other autocompleters fetch from the internet).
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint: cfg.endpoint, method: "POST"},
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    persistenceId: null,
    endpointCatalogueOptions: {getData: function () { return [{endpoint: cfg.endpoint}]; }},
    yasqe: {value: cfg.initial, autocompleters: ["variables"]},
    yasr: {defaultPlugin: "kgtable", pluginOrder: ["kgtable", "response"], prefixes: cfg.prefixes}
  });
  var tab = yasgui.getTab();
  tab.getYasqe().setValue(cfg.initial);
  try { tab.getYasr().selectPlugin("kgtable"); } catch (e) { /* older YASR */ }
  document.querySelectorAll("button.kg-example").forEach(function (button) {
    button.addEventListener("click", function () {
      var e = cfg.examples.find(function (x) { return x.name === button.dataset.name; });
      var t = yasgui.getTab();
      t.getYasqe().setValue(e.query);
      t.query();
    });
  });
  if (cfg.run) tab.query();
  window.kgYasgui = yasgui;  // for tests and the browser console
})();
