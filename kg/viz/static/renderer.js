/* kg graph renderer: draws nodes and edges on one <canvas> (2D context), with pan/zoom, hover, click, drag,
 * label culling by importance, dimming around a selection, animated fit/focus and a local force relaxation.
 *
 * Why not vis-network or sigma.js: measured in this machine's headless Chromium (software rendering), vis-network
 * spends 1.5–2 s in its constructor for 5,000 nodes and ~190 ms per redraw; sigma.js redraws in ~1.8 s (software
 * WebGL). Plain canvas paths batched per colour draw the same 5,000 nodes / 20,000 edges in a few tens of ms, and
 * dimming, label culling and relaxation are a few lines each. Positions come from the server (kg/viz/layout.py).
 *
 * API: var r = KGRenderer(container, {styles, other, relations, tooltip(item), onClick(item), onChange()});
 * r.setData(nodes, edges); r.addNodes/addEdges/removeNodes; r.fit(); r.focus(id); r.select(id); r.relax(ids);
 * nodes are {id, label, type, size, x, y, degree, hidden}; edges are {id, from, to, relation, confidence, weight,
 * hidden}. Every text is drawn with fillText or set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  function KGRenderer(container, opts) {
    var canvas = document.createElement("canvas");
    canvas.className = "kg-canvas";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "graph drawing");
    container.appendChild(canvas);
    var tip = document.createElement("div");
    tip.className = "kg-tooltip";
    tip.hidden = true;
    container.appendChild(tip);
    var ctx = canvas.getContext("2d");
    var dpr = window.devicePixelRatio || 1;
    var W = 0, H = 0;
    var view = {x: 0, y: 0, s: 1};  // screen = world * s + (x, y)
    var nodes = [], edges = [], nodeMap = new Map(), edgeMap = new Map(), adj = new Map();
    var byImportance = [];
    var selected = null, neighbourSet = null, hoverItem = null;
    var insets = {left: 0, right: 0, top: 0, bottom: 0};
    var pending = false, anim = null;
    var self = {canvas: canvas, nodeMap: nodeMap, edgeMap: edgeMap, lastDrawMs: 0, draws: 0};

    // ------------------------------------------------------------ data
    function link(e) {
      if (!adj.has(e.from)) adj.set(e.from, new Set());
      if (!adj.has(e.to)) adj.set(e.to, new Set());
      adj.get(e.from).add(e.id);
      adj.get(e.to).add(e.id);
    }
    function reindex() {
      byImportance = nodes.slice().sort(function (a, b) { return (b.degree || 0) - (a.degree || 0) || (a.id < b.id ? -1 : 1); });
    }
    self.setData = function (ns, es) {
      nodes = []; edges = []; nodeMap.clear(); edgeMap.clear(); adj.clear();
      self.addNodes(ns); self.addEdges(es);
    };
    self.addNodes = function (ns) {
      ns.forEach(function (n) {
        if (nodeMap.has(n.id)) return;
        if (typeof n.x !== "number") n.x = 0;
        if (typeof n.y !== "number") n.y = 0;
        nodes.push(n); nodeMap.set(n.id, n);
      });
      reindex(); self.redraw();
    };
    self.addEdges = function (es) {
      es.forEach(function (e) {
        if (edgeMap.has(e.id) || !nodeMap.has(e.from) || !nodeMap.has(e.to)) return;
        edges.push(e); edgeMap.set(e.id, e); link(e);
      });
      self.redraw();
    };
    self.removeNodes = function (ids) {
      var gone = new Set(ids);
      nodes = nodes.filter(function (n) { return !gone.has(n.id); });
      gone.forEach(function (id) { nodeMap.delete(id); adj.delete(id); });
      edges = edges.filter(function (e) {
        var keep = !gone.has(e.from) && !gone.has(e.to);
        if (!keep) {
          edgeMap.delete(e.id);
          [e.from, e.to].forEach(function (end) { var s = adj.get(end); if (s) s.delete(e.id); });
        }
        return keep;
      });
      if (selected && gone.has(selected)) self.select(null);
      reindex(); self.redraw();
    };
    self.nodes = function () { return nodes; };
    self.edges = function () { return edges; };
    self.getNode = function (id) { return nodeMap.get(id); };
    self.edgesOf = function (id) {
      var out = [];
      (adj.get(id) || new Set()).forEach(function (eid) { var e = edgeMap.get(eid); if (e) out.push(e); });
      return out;
    };
    self.neighbours = function (id) {
      return self.edgesOf(id).map(function (e) { return e.from === id ? e.to : e.from; });
    };

    // ------------------------------------------------------------ geometry
    function resize() {
      var r = container.getBoundingClientRect();
      W = Math.max(1, r.width); H = Math.max(1, r.height);
      dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
      canvas.style.width = W + "px"; canvas.style.height = H + "px";
      self.redraw();
    }
    function toScreen(n) { return {x: n.x * view.s + view.x, y: n.y * view.s + view.y}; }
    function toWorld(px, py) { return {x: (px - view.x) / view.s, y: (py - view.y) / view.s}; }
    function radius(n) { return Math.max(n.size || 6, 2.2 / view.s); }
    self.toScreen = function (id) { var n = nodeMap.get(id); return n ? toScreen(n) : null; };
    self.getView = function () { return {x: view.x, y: view.y, s: view.s}; };
    self.setInsets = function (i) { insets = Object.assign({left: 0, right: 0, top: 0, bottom: 0}, i); };
    function visibleNodes(ids) {
      var list = ids ? ids.map(function (id) { return nodeMap.get(id); }).filter(Boolean) : nodes;
      return list.filter(function (n) { return !n.hidden; });
    }
    function targetFor(list, maxScale) {
      if (!list.length) return {x: W / 2, y: H / 2, s: 1};
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      list.forEach(function (n) {
        var r = n.size || 6;
        x0 = Math.min(x0, n.x - r); y0 = Math.min(y0, n.y - r); x1 = Math.max(x1, n.x + r); y1 = Math.max(y1, n.y + r);
      });
      var aw = Math.max(40, W - insets.left - insets.right - 60), ah = Math.max(40, H - insets.top - insets.bottom - 60);
      var s = Math.min(aw / Math.max(x1 - x0, 1), ah / Math.max(y1 - y0, 1), maxScale || 2.5);
      var cx = insets.left + (W - insets.left - insets.right) / 2, cy = insets.top + (H - insets.top - insets.bottom) / 2;
      return {x: cx - s * (x0 + x1) / 2, y: cy - s * (y0 + y1) / 2, s: s};
    }
    function animateTo(t, animate) {
      if (anim) { cancelAnimationFrame(anim.raf); anim = null; }
      if (!animate) { view = t; self.redraw(); return; }
      var from = {x: view.x, y: view.y, s: view.s}, t0 = performance.now(), ms = 350;
      function step(now) {
        var k = Math.min(1, (now - t0) / ms), e = k < 0.5 ? 2 * k * k : 1 - Math.pow(-2 * k + 2, 2) / 2;
        view = {x: from.x + (t.x - from.x) * e, y: from.y + (t.y - from.y) * e, s: from.s + (t.s - from.s) * e};
        draw();
        if (k < 1) anim = {raf: requestAnimationFrame(step)}; else anim = null;
      }
      anim = {raf: requestAnimationFrame(step)};
    }
    self.fit = function (ids, animate) { animateTo(targetFor(visibleNodes(ids)), !!animate); };
    self.focus = function (id, animate) {
      var n = nodeMap.get(id);
      if (!n) return;
      var list = [n].concat(self.neighbours(id).map(function (m) { return nodeMap.get(m); }).filter(function (m) { return m && !m.hidden; }));
      var t = targetFor(list, 1.6);
      if (list.length === 1) {
        t.s = Math.max(view.s, 1);
        t.x = insets.left + (W - insets.left - insets.right) / 2 - n.x * t.s; t.y = insets.top + (H - insets.top - insets.bottom) / 2 - n.y * t.s;
      }
      animateTo(t, animate !== false);
    };
    self.zoomBy = function (f) {
      var cx = W / 2, cy = H / 2, w = toWorld(cx, cy);
      var s = Math.min(20, Math.max(0.01, view.s * f));
      animateTo({s: s, x: cx - w.x * s, y: cy - w.y * s}, true);
    };

    // ------------------------------------------------------------ selection and dimming
    self.select = function (id) {
      selected = id && nodeMap.has(id) ? id : null;
      neighbourSet = null;
      if (selected) {
        neighbourSet = new Set([selected]);
        self.neighbours(selected).forEach(function (m) { neighbourSet.add(m); });
      }
      self.redraw();
    };
    self.selected = function () { return selected; };

    // ------------------------------------------------------------ drawing
    var SHAPES = {
      dot: function (c, x, y, r) { c.moveTo(x + r, y); c.arc(x, y, r, 0, 2 * Math.PI); },
      ellipse: function (c, x, y, r) { c.moveTo(x + r, y); c.arc(x, y, r, 0, 2 * Math.PI); },
      square: function (c, x, y, r) { var q = r * 0.88; c.rect(x - q, y - q, 2 * q, 2 * q); },
      diamond: function (c, x, y, r) { var q = r * 1.15; c.moveTo(x, y - q); c.lineTo(x + q, y); c.lineTo(x, y + q); c.lineTo(x - q, y); c.closePath(); },
      triangle: function (c, x, y, r) { var q = r * 1.2; c.moveTo(x, y - q); c.lineTo(x + q * 0.93, y + q * 0.6); c.lineTo(x - q * 0.93, y + q * 0.6); c.closePath(); },
      star: function (c, x, y, r) {
        var q = r * 1.25;
        for (var i = 0; i < 10; i++) {
          var a = -Math.PI / 2 + i * Math.PI / 5, rr = i % 2 ? q * 0.45 : q;
          if (i) c.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); else c.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
        }
        c.closePath();
      },
      hexagon: function (c, x, y, r) {
        var q = r * 1.08;
        for (var i = 0; i < 6; i++) {
          var a = i * Math.PI / 3;
          if (i) c.lineTo(x + q * Math.cos(a), y + q * Math.sin(a)); else c.moveTo(x + q * Math.cos(a), y + q * Math.sin(a));
        }
        c.closePath();
      }
    };
    function styleOf(type) { return opts.styles[type] || opts.other; }
    function edgeColour(e) { return (opts.relations && opts.relations[e.relation]) || "#999999"; }
    self.redraw = function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; draw(); });
    };
    function draw() {
      var t0 = performance.now();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, W, H);
      var wx0 = -view.x / view.s, wy0 = -view.y / view.s, wx1 = (W - view.x) / view.s, wy1 = (H - view.y) / view.s;
      var pad = 30 / view.s;
      function onScreen(n) { return n.x > wx0 - pad && n.x < wx1 + pad && n.y > wy0 - pad && n.y < wy1 + pad; }
      ctx.setTransform(dpr * view.s, 0, 0, dpr * view.s, dpr * view.x, dpr * view.y);
      // edges, one path per colour and emphasis
      var groups = {};
      var many = edges.length > 3000;
      for (var i = 0; i < edges.length; i++) {
        var e = edges[i];
        if (e.hidden) continue;
        var a = nodeMap.get(e.from), b = nodeMap.get(e.to);
        if (!a || !b || a.hidden || b.hidden) continue;
        if (!onScreen(a) && !onScreen(b) &&
            (Math.max(a.x, b.x) < wx0 || Math.min(a.x, b.x) > wx1 || Math.max(a.y, b.y) < wy0 || Math.min(a.y, b.y) > wy1)) continue;
        var lit = neighbourSet ? (e.from === selected || e.to === selected) : null;
        var key = edgeColour(e) + (lit === null ? "n" : lit ? "h" : "d") + (e.weight > 1 ? Math.min(4, Math.round(Math.log2(e.weight))) : 0);
        var g = groups[key];
        if (!g) g = groups[key] = {colour: edgeColour(e), lit: lit, w: e.weight > 1 ? Math.min(4, Math.round(Math.log2(e.weight))) : 0, list: []};
        g.list.push(a, b);
      }
      Object.keys(groups).sort(function (k1, k2) { return (groups[k1].lit ? 1 : 0) - (groups[k2].lit ? 1 : 0); }).forEach(function (k) {
        var g = groups[k];
        ctx.beginPath();
        for (var j = 0; j < g.list.length; j += 2) { ctx.moveTo(g.list[j].x, g.list[j].y); ctx.lineTo(g.list[j + 1].x, g.list[j + 1].y); }
        ctx.strokeStyle = g.colour;
        ctx.globalAlpha = g.lit === null ? (many ? 0.2 : edges.length > 1000 ? 0.3 : 0.5) : g.lit ? 0.95 : 0.06;
        ctx.lineWidth = (g.lit ? 2 : 1 + g.w * 0.8) / view.s;
        ctx.stroke();
      });
      ctx.globalAlpha = 1;
      // nodes, one path per type and emphasis (dimmed ones first)
      var passes = {};
      for (i = 0; i < nodes.length; i++) {
        var n = nodes[i];
        if (n.hidden || !onScreen(n)) continue;
        var dim = neighbourSet ? !neighbourSet.has(n.id) : false;
        var pk = (dim ? "0" : "1") + n.type;
        (passes[pk] = passes[pk] || []).push(n);
      }
      Object.keys(passes).sort().forEach(function (pk) {
        var list = passes[pk], st = styleOf(list[0].type), shape = SHAPES[st.shape] || SHAPES.dot;
        ctx.beginPath();
        list.forEach(function (n) { shape(ctx, n.x, n.y, radius(n)); });
        ctx.globalAlpha = pk[0] === "0" ? 0.15 : 1;
        ctx.fillStyle = st.color;
        ctx.fill();
        if (view.s * 8 > 3) {
          ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1 / view.s; ctx.stroke();
        }
      });
      ctx.globalAlpha = 1;
      if (selected && nodeMap.get(selected) && !nodeMap.get(selected).hidden) {  // a ring around the selection
        var sn = nodeMap.get(selected);
        ctx.beginPath(); ctx.arc(sn.x, sn.y, radius(sn) + 4 / view.s, 0, 2 * Math.PI);
        ctx.strokeStyle = "#222"; ctx.lineWidth = 2.5 / view.s; ctx.stroke();
      }
      drawLabels(onScreen);
      self.lastDrawMs = performance.now() - t0;
      self.draws++;
      if (opts.onDraw) opts.onDraw();
    }
    function drawLabels(onScreen) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.textAlign = "center"; ctx.textBaseline = "top";
      ctx.lineJoin = "round";
      var cell = 60, occupied = new Map(), placed = 0, scanned = 0;
      function free(x0, y0, x1, y1) {
        for (var cx = Math.floor(x0 / cell); cx <= Math.floor(x1 / cell); cx++) {
          for (var cy = Math.floor(y0 / cell); cy <= Math.floor(y1 / cell); cy++) {
            var list = occupied.get(cx + "," + cy);
            if (list) for (var k = 0; k < list.length; k++) {
              var r = list[k];
              if (x0 < r[2] && x1 > r[0] && y0 < r[3] && y1 > r[1]) return false;
            }
          }
        }
        return true;
      }
      function occupy(x0, y0, x1, y1) {
        for (var cx = Math.floor(x0 / cell); cx <= Math.floor(x1 / cell); cx++) {
          for (var cy = Math.floor(y0 / cell); cy <= Math.floor(y1 / cell); cy++) {
            var key = cx + "," + cy;
            if (!occupied.has(key)) occupied.set(key, []);
            occupied.get(key).push([x0, y0, x1, y1]);
          }
        }
      }
      function tryLabel(n, force) {
        if (n.hidden || !onScreen(n)) return;
        var p = toScreen(n), r = radius(n) * view.s;
        if (!force && r < 3.5) return;
        var text = n.short || n.label || "";
        if (!text) return;
        var big = force || (n.rank !== undefined && n.rank < 12);
        ctx.font = (big ? "600 " : "") + (big ? 13 : 11.5) + "px system-ui, sans-serif";
        var w = ctx.measureText(text).width, h = big ? 15 : 13;
        var x0 = p.x - w / 2 - 2, y0 = p.y + r + 2, x1 = p.x + w / 2 + 2, y1 = y0 + h;
        if (!free(x0, y0, x1, y1) && !force) return;
        occupy(x0, y0, x1, y1);
        ctx.strokeStyle = "rgba(255,255,255,0.92)"; ctx.lineWidth = 3.5;
        ctx.strokeText(text, p.x, y0 + 1);
        ctx.fillStyle = "#1d1d1d";
        ctx.fillText(text, p.x, y0 + 1);
        placed++;
      }
      if (selected && nodeMap.get(selected)) tryLabel(nodeMap.get(selected), true);
      if (hoverItem && hoverItem.node) tryLabel(hoverItem.node, true);
      if (neighbourSet) {
        byImportance.forEach(function (n) { if (neighbourSet.has(n.id) && n.id !== selected && placed < 80) tryLabel(n, false); });
        return;
      }
      for (var i = 0; i < byImportance.length && placed < 150 && scanned < 4000; i++) {
        var n = byImportance[i];
        if (n.hidden) continue;
        scanned++;
        tryLabel(n, false);
      }
    }
    self.rank = function () {  // importance ranks among entities, for the bigger labels of the top ones
      var r = 0;
      byImportance.forEach(function (n) { n.rank = n.type === "paper" ? 999 : r++; });
    };

    // ------------------------------------------------------------ hit testing
    function nodeAt(px, py) {
      var best = null, bestD = Infinity;
      for (var i = nodes.length - 1; i >= 0; i--) {
        var n = nodes[i];
        if (n.hidden) continue;
        var p = toScreen(n), r = Math.max(radius(n) * view.s, 4) + 3;
        var dx = p.x - px, dy = p.y - py, d = dx * dx + dy * dy;
        if (d <= r * r && d < bestD) { best = n; bestD = d; }
      }
      return best;
    }
    function edgeAt(px, py) {
      var w = toWorld(px, py), tol = 4 / view.s, best = null, bestD = tol * tol;
      for (var i = 0; i < edges.length; i++) {
        var e = edges[i];
        if (e.hidden) continue;
        var a = nodeMap.get(e.from), b = nodeMap.get(e.to);
        if (!a || !b || a.hidden || b.hidden) continue;
        var dx = b.x - a.x, dy = b.y - a.y, len = dx * dx + dy * dy;
        var t = len ? Math.max(0, Math.min(1, ((w.x - a.x) * dx + (w.y - a.y) * dy) / len)) : 0;
        var ex = a.x + t * dx - w.x, ey = a.y + t * dy - w.y, d = ex * ex + ey * ey;
        if (d < bestD) { best = e; bestD = d; }
      }
      return best;
    }
    self.nodeAt = nodeAt;

    // ------------------------------------------------------------ interaction
    var down = null;
    function local(ev) { var r = canvas.getBoundingClientRect(); return {x: ev.clientX - r.left, y: ev.clientY - r.top}; }
    function showTip(item, p) {
      var text = item && opts.tooltip ? opts.tooltip(item) : "";
      if (!text) { tip.hidden = true; return; }
      tip.textContent = text;
      tip.hidden = false;
      var x = Math.min(p.x + 14, W - tip.offsetWidth - 6), y = Math.min(p.y + 14, H - tip.offsetHeight - 6);
      tip.style.left = Math.max(0, x) + "px"; tip.style.top = Math.max(0, y) + "px";
    }
    canvas.addEventListener("pointerdown", function (ev) {
      var p = local(ev), n = nodeAt(p.x, p.y);
      down = {p: p, node: n, view: {x: view.x, y: view.y}, moved: false, id: ev.pointerId};
      try { canvas.setPointerCapture(ev.pointerId); } catch (err) { /* synthetic events have no capture */ }
    });
    canvas.addEventListener("pointermove", function (ev) {
      var p = local(ev);
      if (down) {
        var dx = p.x - down.p.x, dy = p.y - down.p.y;
        if (!down.moved && dx * dx + dy * dy < 16) return;
        down.moved = true;
        tip.hidden = true;
        if (down.node) {
          var w = toWorld(p.x, p.y);
          down.node.x = w.x; down.node.y = w.y; down.node.pinned = true;
        } else {
          view.x = down.view.x + dx; view.y = down.view.y + dy;
        }
        self.redraw();
        return;
      }
      var n = nodeAt(p.x, p.y);
      var item = n ? {node: n} : null;
      if (!item && edges.length <= 30000) { var e = edgeAt(p.x, p.y); if (e) item = {edge: e}; }
      var changed = (item && item.node) !== (hoverItem && hoverItem.node) || (item && item.edge) !== (hoverItem && hoverItem.edge);
      hoverItem = item;
      if (changed && item && item.node && opts.onHover) opts.onHover(item.node);
      canvas.style.cursor = item && item.node ? "pointer" : "default";
      showTip(item, p);
      if (changed) self.redraw();
    });
    function up(ev) {
      if (!down) return;
      var d = down;
      down = null;
      if (d.moved) { if (d.node && opts.onDrag) opts.onDrag(d.node); if (opts.onChange) opts.onChange(); return; }
      var p = local(ev), n = nodeAt(p.x, p.y);
      var item = n ? {node: n} : null;
      if (!item) { var e = edgeAt(p.x, p.y); if (e) item = {edge: e}; }
      if (opts.onClick) opts.onClick(item, ev);
    }
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", function () { down = null; });
    canvas.addEventListener("pointerleave", function () { tip.hidden = true; if (hoverItem) { hoverItem = null; self.redraw(); } });
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = local(ev), w = toWorld(p.x, p.y);
      var s = Math.min(20, Math.max(0.01, view.s * Math.exp(-ev.deltaY * 0.0015)));
      view = {s: s, x: p.x - w.x * s, y: p.y - w.y * s};
      tip.hidden = true;
      self.redraw();
    }, {passive: false});
    if (window.ResizeObserver) new ResizeObserver(resize).observe(container);
    else window.addEventListener("resize", resize);

    // ------------------------------------------------------------ local relaxation (Fruchterman–Reingold on a few nodes)
    /* Moves only ``ids`` (the others stay put), pulled by their edges and pushed by every node near them; then
     * tweens them to the result. Deterministic, so the same expansions give the same picture after a reload. */
    self.relax = function (ids, o) {
      o = o || {};
      var movable = ids.map(function (id) { return nodeMap.get(id); }).filter(Boolean);
      if (!movable.length) return Promise.resolve();
      var L = o.length || 70, R = L * 2.2, iters = o.iterations || 45;
      var start = movable.map(function (n) { return {x: n.x, y: n.y}; });
      var pos = movable.map(function (n) { return {x: n.x, y: n.y}; });
      var index = new Map();
      movable.forEach(function (n, i) { index.set(n.id, i); });
      var others = nodes.filter(function (n) { return !n.hidden && !index.has(n.id); });
      // a grid of the fixed nodes, cells of size R
      var grid = new Map();
      others.forEach(function (n) {
        var k = Math.floor(n.x / R) + "," + Math.floor(n.y / R);
        if (!grid.has(k)) grid.set(k, []);
        grid.get(k).push(n);
      });
      var links = movable.map(function (n) {
        return self.edgesOf(n.id).map(function (e) { return e.from === n.id ? e.to : e.from; })
          .filter(function (m) { return nodeMap.has(m); });
      });
      var temp = L;
      for (var it = 0; it < iters; it++) {
        for (var i = 0; i < movable.length; i++) {
          var p = pos[i], fx = 0, fy = 0;
          var gx = Math.floor(p.x / R), gy = Math.floor(p.y / R);
          for (var cx = gx - 1; cx <= gx + 1; cx++) for (var cy = gy - 1; cy <= gy + 1; cy++) {
            var cellList = grid.get(cx + "," + cy);
            if (cellList) for (var k = 0; k < cellList.length; k++) {
              var q = cellList[k], dx = p.x - q.x, dy = p.y - q.y, d2 = dx * dx + dy * dy + 0.01;
              if (d2 < R * R) { fx += dx * L * L / d2; fy += dy * L * L / d2; }
            }
          }
          for (var j = 0; j < movable.length; j++) {
            if (j === i) continue;
            var q2 = pos[j], ex = p.x - q2.x, ey = p.y - q2.y, e2 = ex * ex + ey * ey + 0.01;
            if (e2 < R * R) { fx += ex * L * L / e2; fy += ey * L * L / e2; }
          }
          var ls = links[i];
          for (k = 0; k < ls.length; k++) {
            var m = index.has(ls[k]) ? pos[index.get(ls[k])] : nodeMap.get(ls[k]);
            var ax = m.x - p.x, ay = m.y - p.y, dist = Math.sqrt(ax * ax + ay * ay) + 0.01;
            var f = dist * dist / L / Math.max(1, Math.sqrt(ls.length));
            fx += ax / dist * f; fy += ay / dist * f;
          }
          var fl = Math.sqrt(fx * fx + fy * fy) + 1e-9, step = Math.min(fl, temp);
          p.x += fx / fl * step; p.y += fy / fl * step;
        }
        temp = Math.max(L * 0.02, temp * 0.93);
      }
      return new Promise(function (resolve) {
        if (o.animate === false) {
          movable.forEach(function (n, i) { n.x = pos[i].x; n.y = pos[i].y; });
          self.redraw(); resolve(); return;
        }
        var t0 = performance.now(), ms = 250;
        function step(now) {
          var kk = Math.min(1, (now - t0) / ms);
          movable.forEach(function (n, i) { n.x = start[i].x + (pos[i].x - start[i].x) * kk; n.y = start[i].y + (pos[i].y - start[i].y) * kk; });
          draw();
          if (kk < 1) requestAnimationFrame(step); else resolve();
        }
        requestAnimationFrame(step);
      });
    };

    self.toPNG = function () {  // the drawing on a white background
      var out = document.createElement("canvas");
      out.width = canvas.width; out.height = canvas.height;
      var c = out.getContext("2d");
      c.fillStyle = "#ffffff"; c.fillRect(0, 0, out.width, out.height);
      c.drawImage(canvas, 0, 0);
      return out.toDataURL("image/png");
    };
    self.drawNow = draw;
    resize();
    return self;
  }
  window.KGRenderer = KGRenderer;
})();
