/* abiguard dashboard: a small hash router over the JSON API (docs/api.md).
 * No build step, no external resources. Every piece of data reaches the
 * page through textContent / attributes set one by one, never as markup. */
'use strict';

(function () {
  var API = '/api/v1';

  var VERDICTS = {
    'breaking':   { icon: '\u2716', word: 'breaking',   cell: 'BREAK', rank: 5,
                    means: 'a binary built against the older release can misbehave' },
    'api-break':  { icon: '\u26A0', word: 'api-break',  cell: 'api', rank: 4,
                    means: 'old binaries keep working; rebuilding against the new headers breaks' },
    'risky':      { icon: '\u25C6', word: 'risky',      cell: 'risky', rank: 3,
                    means: 'breaking for some uses (embedding, copying or allocating a type)' },
    'compatible': { icon: '\u271A', word: 'compatible', cell: 'ok+', rank: 2,
                    means: 'additions old binaries never see' },
    'harmless':   { icon: '\u00B7', word: 'harmless',   cell: 'ok', rank: 1,
                    means: 'no effect on binaries or sources' },
    'none':       { icon: '\u2713', word: 'none',       cell: 'ok', rank: 0,
                    means: 'no ABI change' }
  };
  var ORDER = ['breaking', 'api-break', 'risky', 'compatible', 'harmless'];

  /* ------------------------------------------------------------ DOM helpers */

  /* h('a', {href: x, class: 'y'}, child, 'text', [more]) — strings become
   * text nodes, so data is never parsed as HTML. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  var SVGNS = 'http://www.w3.org/2000/svg';
  function s(tag, attrs) {
    var el = document.createElementNS(SVGNS, tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') el.textContent = String(v);
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    });
  }
  function append(el, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(el, x); }); return; }
    if (typeof c === 'string' || typeof c === 'number') c = document.createTextNode(String(c));
    el.appendChild(c);
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function enc(x) { return encodeURIComponent(x); }
  function libHref(lib, sub, q) {
    var u = '#/lib/' + enc(lib) + (sub ? '/' + sub : '');
    if (q) {
      var parts = Object.keys(q).filter(function (k) { return q[k] !== null && q[k] !== undefined && q[k] !== ''; })
        .map(function (k) { return enc(k) + '=' + enc(q[k]); });
      if (parts.length) u += '?' + parts.join('&');
    }
    return u;
  }

  /* A verdict as icon + word; the icon is decorative, the word is read. */
  function verdict(v, opts) {
    opts = opts || {};
    if (v === null || v === undefined) {
      return h('span', { class: 'verdict v-first' }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '\u2014' }), ' ',
               opts.firstWord || 'first release');
    }
    var d = VERDICTS[v] || { icon: '?', word: String(v), means: '' };
    return h('span', { class: 'verdict v-' + (VERDICTS[v] ? v : 'unknown'), title: d.means },
             h('span', { class: 'icon', 'aria-hidden': 'true', text: d.icon }), ' ', d.word);
  }
  function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }
  function num(n) { return (n === null || n === undefined) ? '\u2014' : String(n); }
  function tableWrap(table, label) {
    labelCells(table);
    return h('div', { class: 'table-wrap', role: 'region', 'aria-label': label, tabindex: '0' }, table);
  }
  /* Copies each column's header into its cells' data-label, which the
   * narrow-screen layout (style.css, table.stack) shows beside the value. */
  function labelCells(table) {
    var heads = [].map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent; });
    [].forEach.call(table.querySelectorAll('tbody tr'), function (tr) {
      var col = 0;
      [].forEach.call(tr.children, function (cell) {
        if (heads[col] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', heads[col]);
        col += cell.colSpan || 1;
      });
    });
  }

  /* ------------------------------------------------------------ API */

  function ApiError(status, message) { this.status = status; this.message = message; }
  function api(path) {
    return fetch(API + path, { headers: { 'Accept': 'application/json' } }).then(function (r) {
      return r.text().then(function (body) {
        var json = null;
        try { json = body ? JSON.parse(body) : null; } catch (e) { json = null; }
        if (!r.ok) {
          var msg = (json && json.error && json.error.message) ? json.error.message : ('HTTP ' + r.status + ' ' + r.statusText);
          throw new ApiError(r.status, msg);
        }
        if (json === null) throw new ApiError(r.status, 'the server sent a response that is not JSON');
        return json;
      });
    }, function () {
      throw new ApiError(0, 'cannot reach the abiguard service');
    });
  }

  /* ------------------------------------------------------------ page frame */

  var main, crumbs, statusEl, renderSeq = 0, firstRender = true;

  function setStatus(text) { statusEl.textContent = text || ''; }

  function setCrumbs(items) {
    clear(crumbs);
    var ol = h('ol');
    items.forEach(function (it, i) {
      var last = i === items.length - 1;
      ol.appendChild(h('li', null, last ? h('span', { 'aria-current': 'page', text: it[0] })
                                        : h('a', { href: it[1], text: it[0] })));
    });
    crumbs.appendChild(ol);
  }

  function page(title, crumbItems) {
    document.title = title + ' \u2014 abiguard';
    setCrumbs(crumbItems);
    clear(main);
    var h1 = h('h1', { tabindex: '-1', text: title });
    main.appendChild(h1);
    return h1;
  }

  function libNav(lib, current) {
    var tabs = [['timeline', 'Timeline', libHref(lib)], ['diff', 'Compare releases', libHref(lib, 'diff')],
                ['matrix', 'Compatibility matrix', libHref(lib, 'matrix')], ['layout', 'Struct layout', libHref(lib, 'layout')]];
    return h('nav', { class: 'lib-nav', 'aria-label': 'Library views' },
      h('ul', null, tabs.map(function (t) {
        return h('li', null, h('a', { href: t[2], 'aria-current': t[0] === current ? 'page' : null, text: t[1] }));
      })));
  }

  function showError(err, seq) {
    if (seq !== renderSeq) return;
    var msg = (err && err.message) ? err.message : String(err);
    setStatus('');
    main.appendChild(h('div', { class: 'error', role: 'alert' },
      h('strong', { text: 'Error' + (err && err.status ? ' ' + err.status : '') + ': ' }), msg));
  }

  function loading(seq, what) {
    if (seq === renderSeq) setStatus('Loading ' + what + '\u2026');
  }
  function loaded(seq, what) {
    if (seq === renderSeq) setStatus(what + ' loaded.');
  }

  /* ------------------------------------------------------------ (a) libraries */

  function viewLibraries(seq) {
    page('Libraries', [['Libraries', '#/']]);
    loading(seq, 'libraries');
    return api('/libraries').then(function (libs) {
      if (seq !== renderSeq) return;
      if (!libs.length) {
        main.appendChild(h('p', { text: 'No libraries yet. Store a release with "abiguard add" or "abiguard push".' }));
        loaded(seq, 'Libraries'); return;
      }
      var tbody = h('tbody');
      libs.forEach(function (l) {
        var latest = l.latest || {};
        tbody.appendChild(h('tr', { class: 'row-v-' + (latest.verdict || 'first') },
          h('th', { scope: 'row' }, h('a', { href: libHref(l.name), text: l.name })),
          h('td', null, verdict(latest.verdict, { firstWord: l.releases > 1 ? 'unknown' : 'first release' })),
          h('td', null, l.recent ? [verdict(l.recent.verdict), ' ',
            h('a', { href: libHref(l.name, 'diff', { old: l.recent.old, new: l.recent.new }), class: 'pair',
                     'aria-label': 'worst of the last ' + plural(l.recent.pairs, 'bump') + ': diff ' + l.recent.old + ' to ' + l.recent.new,
                     text: l.recent.old + ' \u2192 ' + l.recent.new })] : '\u2014'),
          h('td', { text: latest.version || '\u2014' }),
          h('td', { class: 'num', text: num(l.releases) }),
          h('td', { text: latest.date || '\u2014' }),
          h('td', { class: 'wrap' }, h('code', { text: latest.soname || '\u2014' })),
          h('td', { class: 'links' },
            h('a', { href: libHref(l.name, 'matrix'), text: 'matrix' }), ' ',
            l.releases > 1 ? h('a', { href: libHref(l.name, 'diff'), text: 'latest diff' }) : null)));
      });
      main.appendChild(tableWrap(h('table', { class: 'data stack libraries' },
        h('caption', { text: plural(libs.length, 'library').replace(/ys$/, 'ies') + ', each with its latest release\u2019s verdict against the one before it and the worst verdict of its last five release bumps' }),
        h('thead', null, h('tr', null, ['Library', 'Verdict', 'Worst recent', 'Latest', 'Releases', 'Date', 'SONAME', 'Views'].map(function (c) {
          return h('th', { scope: 'col', text: c });
        }))), tbody), 'Libraries table'));
      loaded(seq, 'Libraries');
    });
  }

  /* ------------------------------------------------------------ (b) timeline */

  function viewTimeline(seq, lib) {
    page(lib, [['Libraries', '#/'], [lib, libHref(lib)]]);
    main.appendChild(libNav(lib, 'timeline'));
    loading(seq, 'the timeline of ' + lib);
    return api('/libraries/' + enc(lib) + '/history').then(function (hist) {
      if (seq !== renderSeq) return;
      main.appendChild(h('h2', { text: 'Releases over time' }));
      main.appendChild(chart(hist, lib));
      main.appendChild(h('h2', { text: 'Timeline' }));
      var tbody = h('tbody');
      hist.forEach(function (r, i) {
        var prev = i > 0 ? hist[i - 1].version : null;
        var c = r.counts || {};
        tbody.appendChild(h('tr', { class: 'row-v-' + (r.verdict || 'first') },
          h('th', { scope: 'row' }, h('a', { href: libHref(lib, 'release/' + enc(r.version)), title: 'binaries of ' + lib + ' ' + r.version, text: r.version })),
          h('td', null, verdict(r.verdict)),
          h('td', { class: 'wrap' }, prev ? h('a', { href: libHref(lib, 'diff', { old: prev, new: r.version }),
                                        'aria-label': 'diff ' + prev + ' to ' + r.version, text: prev + ' \u2192 ' + r.version }) : '\u2014'),
          h('td', { text: r.date || '\u2014' }),
          h('td', null, h('code', { text: r.soname || '\u2014' })),
          prev ? [
            h('td', { class: 'num' }, h('span', { class: 'added', text: '+' + num(r.functions_added) }),
              r.variables_added ? h('span', { class: 'sub', text: ' (+' + r.variables_added + ' var)' }) : null),
            h('td', { class: 'num' }, h('span', { class: 'removed', text: '\u2212' + num(r.functions_removed) }),
              r.variables_removed ? h('span', { class: 'sub', text: ' (\u2212' + r.variables_removed + ' var)' }) : null),
            h('td', { class: 'num' }, h('span', { class: 'changed', text: '~' + num(r.functions_changed) }),
              r.variables_changed ? h('span', { class: 'sub', text: ' (~' + r.variables_changed + ' var)' }) : null)]
          : h('td', { colspan: '3', class: 'size wrap', 'data-label': 'Size', text: sizeText(r.size) }),
          h('td', { class: 'num compat', title: compatTitle(r.compatibility, prev) }, compatText(r.compatibility)),
          h('td', { class: 'by-verdict' }, prev ? ['breaking', 'api-break', 'risky', 'compatible'].map(function (k) {
            return h('span', { class: 'vcount v-' + k, 'data-verdict': k, title: num(c[k]) + ' ' + k },
              h('span', { class: 'icon', 'aria-hidden': 'true', text: VERDICTS[k].icon }), ' ' + num(c[k]), h('span', { class: 'sr-only', text: ' ' + k }));
          }) : '\u2014')));
      });
      main.appendChild(tableWrap(h('table', { class: 'data stack timeline' },
        h('caption', { text: hist.length + ' releases of ' + lib + ', oldest first; counts and verdict against the previous release' }),
        h('thead', null, h('tr', null, ['Version', 'Verdict', 'Diff', 'Date', 'SONAME', 'Added', 'Removed', 'Changed', 'Backward compatible', 'Changes by verdict']
          .map(function (c) { return h('th', { scope: 'col', text: c }); }))),
        tbody), 'Timeline table'));
      main.appendChild(h('p', { class: 'note', text: 'Added / removed / changed count exported functions (variables in parentheses when any). ' +
        'Backward compatible: the share of the previous release\u2019s exported functions and variables that no breaking change impacts ' +
        '(a change to the whole file, such as its SONAME, shows in the verdict).' }));
      return api('/libraries/' + enc(lib) + '/bindings').then(function (bs) {
        if (seq !== renderSeq) return;
        main.appendChild(bindingsSection(lib, hist, bs));
        loaded(seq, 'Timeline of ' + lib);
      });
    });
  }

  /* The registered bindings of lib ("for whom"): per release, whether each
   * is affected (the check verdict), linking to the binding's own page. */
  function bindingHref(lib, b, q) {
    return libHref(lib, 'binding/' + enc(b.name) + '/' + enc(b.version), q);
  }
  function bindingsSection(lib, hist, bs) {
    var sec = h('section', { class: 'bindings', 'aria-labelledby': 'bindings-h' }, h('h2', { id: 'bindings-h', text: 'Bindings' }));
    if (!bs.length) {
      sec.appendChild(h('p', { class: 'note' }, 'No binding of ' + lib + ' is registered. Register one with ',
        h('code', { text: 'abiguard push BINDING.so --binding NAME --library ' + lib + ' --version V --built-against ' + lib + '@V' }),
        ' to see, per release, whether it is affected.'));
      return sec;
    }
    sec.appendChild(h('ul', { class: 'binding-list' }, bs.map(function (b) {
      return h('li', null, h('a', { href: bindingHref(lib, b), text: b.name + ' ' + b.version }),
        ' — ' + plural(b.imports, 'imported symbol') + (b.built_against ? ', built against ' + lib + ' ' + b.built_against : ''));
    })));
    var tbody = h('tbody');
    hist.forEach(function (r) {
      tbody.appendChild(h('tr', null, h('th', { scope: 'row', text: r.version }),
        bs.map(function (b) {
          var v = (b.releases || {})[r.version];
          return h('td', null, v ? h('a', { href: bindingHref(lib, b, { release: r.version }), class: 'binding-verdict',
                                            'aria-label': b.name + ' ' + b.version + ' with ' + lib + ' ' + r.version + ': ' + (VERDICTS[v] ? VERDICTS[v].word : v) },
                                     verdict(v)) : ((b.unchecked || {})[r.version] ? h('span', { title: b.unchecked[r.version] }, verdict(null, { firstWord: 'not checked' })) : '\u2014'));
        })));
    });
    sec.appendChild(tableWrap(h('table', { class: 'data bindings-table' },
      h('caption', { text: 'Is each registered binding affected by each release of ' + lib + '? (the verdict of abiguard check; each links to the changes that decide it)' }),
      h('thead', null, h('tr', null, h('th', { scope: 'col', text: 'Release' }),
        bs.map(function (b) { return h('th', { scope: 'col', text: b.name + ' ' + b.version }); }))),
      tbody), 'Bindings by release'));
    return sec;
  }

  /* ------------------------------------------------------------ binding page */

  function viewBinding(seq, lib, name, ver, q) {
    var title = 'Binding ' + name + ' ' + ver + ' of ' + lib;
    page(title, [['Libraries', '#/'], [lib, libHref(lib)], [name + ' ' + ver, bindingHref(lib, { name: name, version: ver })]]);
    main.appendChild(libNav(lib, 'binding'));
    loading(seq, 'the checks of ' + name + ' ' + ver);
    return api('/libraries/' + enc(lib) + '/bindings/' + enc(name) + '/' + enc(ver)).then(function (b) {
      if (seq !== renderSeq) return;
      var rows = b.matrix || [];
      var ok = rows.filter(function (r) { return r.verdict && r.verdict !== 'breaking'; }).map(function (r) { return r.release; });
      main.appendChild(h('dl', { class: 'facts' },
        h('div', null, h('dt', { text: 'Built against' }), h('dd', { text: b.built_against ? lib + ' ' + b.built_against + (b.built_against_stored ? '' : ' (not stored: its own declarations only)') : 'not said' })),
        h('div', null, h('dt', { text: 'Imports' }), h('dd', { text: plural(b.imports, 'symbol') + (b.debug_info ? ', with its DWARF declarations' : ', no debug info: symbols and versions only') })),
        h('div', null, h('dt', { text: 'File' }), h('dd', null, h('code', { text: b.file_name || '\u2014' }))),
        h('div', null, h('dt', { text: 'Registered' }), h('dd', { text: b.registered || '\u2014' })),
        h('div', null, h('dt', { text: 'Can run with' }), h('dd', { class: 'runs-with', text: ok.length ? ok.join(', ') : 'no stored release' }))));
      var tbody = h('tbody');
      rows.forEach(function (r, i) {
        var from = b.built_against_stored && b.built_against !== r.release ? b.built_against : (i > 0 ? rows[i - 1].release : null);
        var ch = r.changes || [];
        var why = ch.length ? h('ul', { class: 'why' }, ch.slice(0, 5).map(function (c) {
          return h('li', null, verdict(c.verdict), ' ', h('code', { text: c.subject || '' }), h('span', { class: 'sub', text: ' ' + c.id }));
        }), (ch.length > 5 || r.more) ? h('li', { class: 'sub', text: (ch.length - 5 + (r.more || 0) > 0 ? (ch.length - 5 + (r.more || 0)) + ' more' : '') }) : null) : (r.unchecked ? r.unchecked : r.verdict === 'none' ? 'nothing it uses changed' : '\u2014');
        tbody.appendChild(h('tr', { id: 'r-' + r.release, class: 'row-v-' + r.verdict + (q.get('release') === r.release ? ' target' : '') },
          h('th', { scope: 'row', text: r.release }),
          h('td', null, verdict(r.verdict, { firstWord: 'not checked' })),
          h('td', { class: 'wrap' }, why),
          h('td', { class: 'links' }, from && !r.unchecked ? h('a', { href: libHref(lib, 'diff', { old: from, new: r.release, binding: name + '@' + ver }),
                                                   'aria-label': 'changes from ' + from + ' to ' + r.release + ' that reach ' + name, text: from + ' \u2192 ' + r.release }) : '\u2014')));
      });
      main.appendChild(h('h2', { text: 'Which releases it can run with' }));
      main.appendChild(tableWrap(h('table', { class: 'data stack binding-matrix' },
        h('caption', { text: name + ' ' + ver + ' against each release of ' + lib + ', oldest first: the verdict abiguard check gives and the changes that decide it' }),
        h('thead', null, h('tr', null, ['Release', 'Verdict', 'Why', 'Diff for this binding'].map(function (c) { return h('th', { scope: 'col', text: c }); }))),
        tbody), 'Binding matrix'));
      var target = q.get('release') && document.getElementById('r-' + q.get('release'));
      if (target) { target.setAttribute('tabindex', '-1'); target.scrollIntoView(); }
      loaded(seq, title);
    });
  }

  function sizeText(z) {
    if (!z) return 'first release';
    return 'first release: ' + plural(z.functions, 'function') + ', ' + plural(z.variables, 'variable') + ', ' + plural(z.types, 'type');
  }
  function compatText(c) {
    if (!c) return '\u2014';
    var p = c.percent;
    return (p === 100 || p === 0 ? String(p) : p >= 99.95 ? '99.9' : p.toFixed(1)) + '%';
  }
  function compatTitle(c, prev) {
    return c ? c.not_impacted + ' of ' + c.interfaces + ' interfaces of ' + prev + ' not impacted by a breaking change' : null;
  }

  /* Stacked bars (breaking / api-break / risky / compatible changes per
   * release, left axis) and a line of changed functions (right axis). */
  function chart(hist, lib) {
    var kinds = ['breaking', 'api-break', 'risky', 'compatible'];
    var avail = Math.max(300, (main.clientWidth || 900) - 32);
    var W = Math.max(Math.min(avail, 130 * hist.length + 120), 72 * hist.length + 104), H = 260, L = 48, R = 56, T = 20, B = 48;
    var pw = W - L - R, ph = H - T - B;
    var maxC = 1, maxF = 1;
    hist.forEach(function (r) {
      var c = r.counts || {}, t = 0;
      kinds.forEach(function (k) { t += c[k] || 0; });
      maxC = Math.max(maxC, t);
      maxF = Math.max(maxF, r.functions_changed || 0);
    });
    maxC = niceMax(maxC); maxF = niceMax(maxF);
    var slot = pw / Math.max(1, hist.length), bw = Math.min(48, slot * 0.55);
    var titleId = 'chart-title', descId = 'chart-desc';
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', class: 'chart',
                         'aria-labelledby': titleId + ' ' + descId, preserveAspectRatio: 'xMinYMin meet' });
    svg.appendChild(s('title', { id: titleId, text: 'Changes per release of ' + lib }));
    svg.appendChild(s('desc', { id: descId, text: hist.map(function (r) {
      var c = r.counts || {};
      return r.version + ': ' + (r.verdict || 'first release') + (r.verdict ? ', ' + kinds.map(function (k) { return (c[k] || 0) + ' ' + k; }).join(', ') : '') +
        ', ' + (r.functions_changed || 0) + ' functions changed';
    }).join('; ') }));
    // grid + left axis
    for (var g = 0; g <= 4; g++) {
      var y = T + ph - ph * g / 4;
      svg.appendChild(s('line', { x1: L, x2: L + pw, y1: y, y2: y, class: 'grid' }));
      svg.appendChild(s('text', { x: L - 6, y: y + 4, class: 'axis', 'text-anchor': 'end', text: String(Math.round(maxC * g / 4)) }));
      svg.appendChild(s('text', { x: L + pw + 6, y: y + 4, class: 'axis axis-f', 'text-anchor': 'start', text: String(Math.round(maxF * g / 4)) }));
    }
    svg.appendChild(s('text', { x: 4, y: 12, class: 'axis', text: 'changes' }));
    svg.appendChild(s('text', { x: W - 4, y: 12, class: 'axis axis-f', 'text-anchor': 'end', text: 'fn changed' }));
    var pts = [];
    hist.forEach(function (r, i) {
      var cx = L + slot * i + slot / 2, y0 = T + ph, c = r.counts || {};
      var grp = s('g', { class: 'bar' });
      kinds.forEach(function (k) {
        var v = c[k] || 0;
        if (!v) return;
        var hgt = ph * v / maxC;
        y0 -= hgt;
        grp.appendChild(s('rect', { x: cx - bw / 2, y: y0, width: bw, height: Math.max(hgt, 0.5), class: 'seg v-' + k },
          s('title', { text: r.version + ': ' + v + ' ' + k })));
      });
      var total = kinds.reduce(function (a, k) { return a + (c[k] || 0); }, 0);
      grp.appendChild(s('text', { x: cx, y: y0 - 4, 'text-anchor': 'middle', class: 'barlabel',
                                  text: r.verdict ? (VERDICTS[r.verdict] ? VERDICTS[r.verdict].icon + ' ' : '') + total : 'first' }));
      svg.appendChild(grp);
      svg.appendChild(s('text', { x: cx, y: T + ph + 18, 'text-anchor': 'middle', class: 'xlabel', text: r.version }));
      if (r.date) svg.appendChild(s('text', { x: cx, y: T + ph + 34, 'text-anchor': 'middle', class: 'axis', text: r.date }));
      pts.push([cx, T + ph - ph * (r.functions_changed || 0) / maxF]);
    });
    if (pts.length) {
      svg.appendChild(s('polyline', { points: pts.map(function (p) { return p[0] + ',' + p[1]; }).join(' '), class: 'fline' }));
      pts.forEach(function (p, i) {
        svg.appendChild(s('rect', { x: p[0] - 4, y: p[1] - 4, width: 8, height: 8, class: 'fpoint' },
          s('title', { text: hist[i].version + ': ' + (hist[i].functions_changed || 0) + ' functions changed' })));
      });
    }
    var legend = h('ul', { class: 'legend' },
      kinds.map(function (k) {
        return h('li', null, h('span', { class: 'swatch v-' + k, 'aria-hidden': 'true' }), verdict(k), ' changes');
      }),
      h('li', null, h('span', { class: 'swatch line', 'aria-hidden': 'true' }), 'functions changed (line, right axis)'));
    return h('figure', { class: 'chart-figure' }, h('div', { class: 'chart-scroll' }, svg), h('figcaption', null, legend));
  }
  function niceMax(v) {
    var p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p;
    var n = m <= 1 ? 1 : m <= 2 ? 2 : m <= 4 ? 4 : m <= 5 ? 5 : 10;
    return Math.max(4, n * p);
  }

  /* ------------------------------------------------------------ (c) diff */

  function versionSelect(id, label, versions, value) {
    return h('div', { class: 'field' },
      h('label', { for: id, text: label }),
      h('select', { id: id, name: id }, versions.map(function (v) {
        return h('option', { value: v, selected: v === value, text: v });
      })));
  }

  /* A release's binaries (all the shared objects of the artifact it was
   * pushed from): SONAME, path in the artifact, build-id, counts, and each
   * one's diff against the same SONAME in the release before. */
  function viewRelease(seq, lib, ver) {
    page(lib + ' ' + ver, [['Libraries', '#/'], [lib, libHref(lib)], [ver, libHref(lib, 'release/' + enc(ver))]]);
    main.appendChild(libNav(lib, 'timeline'));
    loading(seq, 'the binaries of ' + lib + ' ' + ver);
    return Promise.all([api('/libraries/' + enc(lib) + '/releases'),
                        api('/libraries/' + enc(lib) + '/releases/' + enc(ver) + '/binaries')]).then(function (res) {
      var rels = res[0], bins = res[1];
      var versions = rels.map(function (r) { return r.version; }), at = versions.indexOf(ver);
      var prev = at > 0 ? versions[at - 1] : null;
      return (prev ? api('/libraries/' + enc(lib) + '/releases/' + enc(prev) + '/binaries') : Promise.resolve([]))
        .then(function (prevBins) {
          if (seq !== renderSeq) return;
          var before = {};
          prevBins.forEach(function (b) { before[b.name] = true; });
          var tbody = h('tbody');
          bins.forEach(function (b) {
            var diff = !prev ? '\u2014' : before[b.name]
              ? h('a', { href: libHref(lib, 'diff', { old: prev + ':' + b.name, new: ver + ':' + b.name }),
                         'aria-label': 'diff ' + b.name + ' ' + prev + ' to ' + ver, text: prev + ' \u2192 ' + ver })
              : 'new in ' + ver;
            tbody.appendChild(h('tr', null,
              h('th', { scope: 'row' }, h('code', { text: b.soname || b.file_name })),
              h('td', { class: 'wrap' }, h('code', { text: b.path || b.file_name })),
              h('td', { class: 'wrap' }, h('code', { class: 'build-id', text: b.build_id || '\u2014' })),
              h('td', { class: 'num', text: b.debug_info ? num(b.functions) : '\u2014' }),
              h('td', { class: 'num', text: b.debug_info ? num(b.variables) : '\u2014' }),
              h('td', { class: 'num', text: b.debug_info ? num(b.types) : '\u2014' }),
              h('td', { class: 'wrap' }, diff)));
          });
          main.appendChild(h('h2', { text: 'Binaries' }));
          main.appendChild(tableWrap(h('table', { class: 'data stack binaries' },
            h('caption', { text: plural(bins.length, 'binary').replace('binarys', 'binaries') + ' in ' + lib + ' ' + ver +
                                 (prev ? '; each diffed against the same SONAME in ' + prev : '') }),
            h('thead', null, h('tr', null, ['Binary', 'Path in the artifact', 'Build-id', 'Functions', 'Variables', 'Types', 'Diff']
              .map(function (c) { return h('th', { scope: 'col', text: c }); }))),
            tbody), 'Binaries table'));
          if (prev) {
            var gone = prevBins.filter(function (b) { return !bins.some(function (x) { return x.name === b.name; }); });
            if (gone.length) main.appendChild(h('p', { class: 'note removed-binaries', text: 'Not in ' + ver + ' (removed since ' + prev + ', breaking): ' +
              gone.map(function (b) { return b.name; }).join(', ') + '.' }));
          }
          loaded(seq, 'Binaries of ' + lib + ' ' + ver);
        });
    });
  }

  /* A diff of two releases of several binaries (abiguard-release-diff/1):
   * one verdict, and a row per binary pair with a link to that pair's diff. */
  function renderReleaseDiff(d, lib, oldV, newV, jsonHref) {
    var sec = h('section', { class: 'diff release-diff', 'aria-labelledby': 'diff-h' });
    var c = d.counts || {};
    sec.appendChild(h('h2', { id: 'diff-h' }, lib + ' ' + oldV + ' \u2192 ' + newV + ': ', verdict(d.verdict)));
    sec.appendChild(h('p', { class: 'summary' }, plural(c.diffed || 0, 'binary').replace('binarys', 'binaries') + ' diffed, ' +
      (c.added || 0) + ' added, ' + (c.removed || 0) + ' removed; the release\u2019s verdict is the worst of its binaries\u2019 ' +
      '(a binary removed is breaking, one added compatible). ', h('a', { href: jsonHref, class: 'json-link', text: 'This diff as JSON' })));
    var tbody = h('tbody');
    (d.binaries || []).forEach(function (b) {
      var link = b.status === 'diffed'
        ? h('a', { href: libHref(lib, 'diff', { old: oldV + ':' + b.name, new: newV + ':' + b.name }),
                   'aria-label': 'diff of ' + b.name, text: 'changes' })
        : '\u2014';
      tbody.appendChild(h('tr', { class: 'row-v-' + b.verdict },
        h('th', { scope: 'row' }, h('code', { text: b.name })),
        h('td', { text: b.status }),
        h('td', null, verdict(b.verdict)),
        h('td', { class: 'wrap' }, h('code', { text: b.old_path || '\u2014' })),
        h('td', { class: 'wrap' }, h('code', { text: b.new_path || '\u2014' })),
        h('td', null, link)));
    });
    sec.appendChild(tableWrap(h('table', { class: 'data stack release-pairs' },
      h('caption', { text: 'Binaries of ' + lib + ' ' + oldV + ' and ' + newV + ', paired by SONAME, then by file-name stem' }),
      h('thead', null, h('tr', null, ['Binary', 'Status', 'Verdict', 'Old path', 'New path', 'Diff']
        .map(function (x) { return h('th', { scope: 'col', text: x }); }))),
      tbody), 'Binary pairs table'));
    return sec;
  }

  function viewDiff(seq, lib, q) {
    page('Compare releases of ' + lib, [['Libraries', '#/'], [lib, libHref(lib)], ['Compare', libHref(lib, 'diff')]]);
    main.appendChild(libNav(lib, 'diff'));
    loading(seq, 'releases of ' + lib);
    return api('/libraries/' + enc(lib) + '/releases').then(function (rels) {
      if (seq !== renderSeq) return;
      var versions = rels.map(function (r) { return r.version; });
      if (versions.length < 2) {
        main.appendChild(h('p', { text: lib + ' has ' + versions.length + ' release; a diff needs two.' }));
        loaded(seq, 'Releases'); return;
      }
      var oldV = q.get('old') || versions[versions.length - 2], newV = q.get('new') || versions[versions.length - 1];
      var form = h('form', { class: 'pick', 'aria-label': 'Choose two releases' },
        versionSelect('old', 'Old (built against)', versions, oldV),
        versionSelect('new', 'New (running with)', versions, newV),
        h('button', { type: 'submit', text: 'Compare' }),
        h('button', { type: 'button', class: 'secondary', text: 'Swap', onclick: function () {
          location.hash = libHref(lib, 'diff', { old: form.elements['new'].value, new: form.elements['old'].value });
        } }));
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        location.hash = libHref(lib, 'diff', { old: form.elements['old'].value, new: form.elements['new'].value, binding: q.get('binding') || null });
      });
      main.appendChild(form);
      // V:SONAME names one binary of a release of several
      var known = function (v) { var i = v.lastIndexOf(':'); return versions.indexOf(v) >= 0 || (i > 0 && versions.indexOf(v.slice(0, i)) >= 0); };
      if (!known(oldV) || !known(newV)) {
        throw new ApiError(404, 'unknown version ' + (!known(oldV) ? oldV : newV) + ' of ' + lib);
      }
      if (oldV === newV) {
        main.appendChild(h('p', { class: 'note', text: 'Choose two different releases.' }));
        loaded(seq, 'Releases'); return;
      }
      var forBinding = q.get('binding') || '';
      var apiPath = '/diff?old=' + enc(lib + '@' + oldV) + '&new=' + enc(lib + '@' + newV) + (forBinding ? '&binding=' + enc(forBinding) : '');
      loading(seq, 'the diff ' + oldV + ' \u2192 ' + newV);
      return api(apiPath + (q.get('private') === '1' ? '&private=1' : '')).then(function (d) {
        if (seq !== renderSeq) return;
        if (forBinding) {
          main.appendChild(h('p', { class: 'binding-view', role: 'note' }, 'Only the changes that reach what the binding ',
            h('strong', { text: forBinding.replace('@', ' ') }), ' uses. ',
            h('a', { href: libHref(lib, 'diff', { old: oldV, new: newV }), text: 'Show every change' })));
        }
        if (d.format === 'abiguard-release-diff/1') main.appendChild(renderReleaseDiff(d, lib, oldV, newV, API + apiPath));
        else renderDiff(d, lib, oldV, newV, API + apiPath, q);
        loaded(seq, 'Diff ' + oldV + ' to ' + newV);
      });
    });
  }

  /* The diff page's view state lives in the URL (hash query), next to old
   * and new, so a filtered view can be linked: verdict (comma-separated),
   * kind, area, q (a name), page, change (a permalink). */
  var PAGE_SIZE = 50, IMPACTS_SHOWN = 3;

  function diffState(q) {
    var vs = (q.get('verdict') || '').split(',').filter(Boolean);
    var p = parseInt(q.get('page') || '1', 10);
    return { verdicts: vs, kind: q.get('kind') || '', area: q.get('area') || '', text: q.get('q') || '',
             page: p > 0 ? p : 1, change: q.get('change') || '', priv: q.get('private') === '1', binding: q.get('binding') || '' };
  }
  function diffHref(lib, oldV, newV, st) {
    return libHref(lib, 'diff', { old: oldV, new: newV, binding: st.binding || null, private: st.priv ? '1' : null, verdict: st.verdicts.join(','), kind: st.kind,
                                  area: st.area, q: st.text, page: st.page > 1 ? st.page : null, change: st.change });
  }

  /* Stable anchor of a change: its kind and subject, numbered when two
   * changes share both. */
  function anchorIds(changes) {
    var seen = {};
    return changes.map(function (ch) {
      var base = 'c-' + String(ch.id + '-' + (ch.subject || '')).replace(/[^A-Za-z0-9_.:-]+/g, '_');
      seen[base] = (seen[base] || 0) + 1;
      return seen[base] > 1 ? base + '-' + seen[base] : base;
    });
  }
  function groupOf(ch) { return ch.suppressed ? 'suppressed' : ch.verdict; }

  /* Does ch pass every filter of st except the one named by skip? */
  function passes(ch, st, skip) {
    if (skip !== 'verdict' && st.verdicts.length && st.verdicts.indexOf(groupOf(ch)) < 0) return false;
    if (skip !== 'kind' && st.kind && ch.id !== st.kind) return false;
    if (skip !== 'area' && st.area && ch.area !== st.area) return false;
    if (st.text) {
      var t = st.text.toLowerCase();
      var hit = (ch.subject || '').toLowerCase().indexOf(t) >= 0 || (ch.id || '').indexOf(t) >= 0 ||
        (ch.impacted || []).some(function (x) { return (x.path || x.interface || '').toLowerCase().indexOf(t) >= 0; });
      if (!hit) return false;
    }
    return true;
  }
  function countBy(changes, st, skip, key) {
    var m = {};
    changes.forEach(function (ch) { if (passes(ch, st, skip)) { var k = key(ch); m[k] = (m[k] || 0) + 1; } });
    return m;
  }

  function renderDiff(d, lib, oldV, newV, jsonHref, q) {
    var sec = h('section', { class: 'diff', 'aria-labelledby': 'diff-h' });
    var c = d.counts || {}, itf = d.interfaces || {};
    sec.appendChild(h('h2', { id: 'diff-h' }, lib + ' ' + oldV + ' \u2192 ' + newV + ': ', verdict(d.verdict)));
    sec.appendChild(h('p', { class: 'summary' },
      ORDER.map(function (k, i) { return [i ? ', ' : '', h('strong', { text: String(c[k] || 0) }), ' ' + k]; }),
      d.suppressed ? ' (' + d.suppressed + ' suppressed)' : '', '. ',
      'Functions: ' + (itf.functions_removed || 0) + ' removed, ' + (itf.functions_added || 0) + ' added, ' + (itf.functions_changed || 0) + ' changed; ' +
      'variables: ' + (itf.variables_removed || 0) + ' removed, ' + (itf.variables_added || 0) + ' added, ' + (itf.variables_changed || 0) + ' changed. ',
      h('a', { href: jsonHref, class: 'json-link', text: 'This diff as JSON' })));
    if (d.surface && d.surface.summary) sec.appendChild(h('p', { class: 'note surface', text: 'Public surface: ' + d.surface.summary + '.' }));
    var changes = (d.changes || []).slice();
    var leftOut = (d.surface && d.surface.left_out) || [];
    leftOut.forEach(function (ch) { ch._private = true; changes.push(ch); });
    var nPrivate = d.surface ? (d.surface.private_changes || 0) : 0;
    var groups = ORDER.concat(['suppressed']);
    changes.sort(function (a, b) { return groups.indexOf(groupOf(a)) - groups.indexOf(groupOf(b)); });
    var ids = anchorIds(changes);
    changes.forEach(function (ch, i) { ch._anchor = ids[i]; });
    main.appendChild(sec);
    var st = diffState(q);
    /* Changes inside private types reached only through pointers (opaque):
       left out by the API unless asked for (?private=1), then marked. */
    var privBox = h('input', { type: 'checkbox', id: 'f-private', checked: !st.priv, disabled: !nPrivate });
    privBox.addEventListener('change', function () {
      location.hash = diffHref(lib, oldV, newV, { verdicts: st.verdicts, kind: st.kind, area: st.area, text: st.text, page: 1, change: '', priv: !privBox.checked, binding: st.binding });
    });
    var privField = h('p', { class: 'check private-toggle' }, privBox,
      h('label', { for: 'f-private' }, 'Hide changes inside private (opaque) types ', h('span', { class: 'count', text: '(' + nPrivate + ')' })));
    if (!changes.length) {
      if (nPrivate) sec.appendChild(privField);
      sec.appendChild(h('p', null, verdict('none'), ' \u2014 nothing changed between these releases.'));
      return;
    }

    /* A permalink shows its change: the page that holds it, with no filter
       hiding it. */
    if (st.change) {
      var target = changes.filter(function (ch) { return ch._anchor === st.change; })[0];
      if (target && !passes(target, st)) st = diffState(new URLSearchParams('change=' + enc(st.change) + (st.priv ? '&private=1' : '')));
    }

    var kinds = {}, areas = {};
    changes.forEach(function (ch) { kinds[ch.id] = true; if (ch.area) areas[ch.area] = true; });
    var present = groups.filter(function (g) { return changes.some(function (ch) { return groupOf(ch) === g; }); });

    var vBoxes = h('fieldset', { class: 'verdicts' }, h('legend', { text: 'Verdict' }));
    var kindSel = h('select', { id: 'f-kind', name: 'kind' });
    var areaSel = h('select', { id: 'f-area', name: 'area' });
    var search = h('input', { id: 'f-q', name: 'q', type: 'search', value: st.text, autocomplete: 'off',
                              placeholder: 'type or function name' });
    var shown = h('p', { class: 'shown', role: 'status', 'aria-live': 'polite' });
    var filters = h('form', { class: 'pick filters', role: 'search', 'aria-label': 'Filter the changes' },
      vBoxes,
      h('div', { class: 'field' }, h('label', { for: 'f-kind', text: 'Change kind' }), kindSel),
      h('div', { class: 'field' }, h('label', { for: 'f-area', text: 'Area' }), areaSel),
      h('div', { class: 'field wide' }, h('label', { for: 'f-q', text: 'Name' }), search),
      privField,
      h('button', { type: 'button', class: 'secondary', text: 'Clear filters', onclick: function () {
        st = diffState(new URLSearchParams(st.priv ? 'private=1' : '')); search.value = ''; update();
      } }));
    filters.addEventListener('submit', function (e) { e.preventDefault(); });
    sec.appendChild(filters);
    sec.appendChild(shown);
    var pagerTop = h('nav', { class: 'pager', 'aria-label': 'Pages of changes (top)' });
    var list = h('div', { class: 'change-list' });
    var pagerBottom = h('nav', { class: 'pager', 'aria-label': 'Pages of changes (bottom)' });
    sec.appendChild(pagerTop); sec.appendChild(list); sec.appendChild(pagerBottom);

    function options(sel, all, counts, names, value) {
      clear(sel);
      sel.appendChild(h('option', { value: '', text: all }));
      names.forEach(function (n) {
        sel.appendChild(h('option', { value: n, selected: n === value, text: n + ' (' + (counts[n] || 0) + ')' }));
      });
    }
    function pager(nav, pages) {
      clear(nav);
      if (pages <= 1) return;
      var go = function (p) { return function () { st.page = p; st.change = ''; update(); list.scrollIntoView(); }; };
      nav.appendChild(h('button', { type: 'button', class: 'secondary', disabled: st.page <= 1, onclick: go(st.page - 1), text: '\u2039 Previous' }));
      nav.appendChild(h('span', { class: 'page-of', text: ' Page ' + st.page + ' of ' + pages + ' ' }));
      nav.appendChild(h('button', { type: 'button', class: 'secondary', disabled: st.page >= pages, onclick: go(st.page + 1), text: 'Next \u203A' }));
    }

    function update() {
      var vc = countBy(changes, st, 'verdict', groupOf);
      clear(vBoxes);
      vBoxes.appendChild(h('legend', { text: 'Verdict' }));
      present.forEach(function (g) {
        var id = 'f-v-' + g;
        var box = h('input', { type: 'checkbox', id: id, value: g, checked: st.verdicts.indexOf(g) >= 0 });
        box.addEventListener('change', function () {
          st.verdicts = present.filter(function (x) { return document.getElementById('f-v-' + x).checked; });
          st.page = 1; st.change = ''; update();
        });
        vBoxes.appendChild(h('span', { class: 'check' }, box,
          h('label', { for: id }, g === 'suppressed' ? 'suppressed' : verdict(g), ' ', h('span', { class: 'count', text: '(' + (vc[g] || 0) + ')' }))));
      });
      options(kindSel, 'all kinds', countBy(changes, st, 'kind', function (ch) { return ch.id; }), Object.keys(kinds).sort(), st.kind);
      options(areaSel, 'all areas', countBy(changes, st, 'area', function (ch) { return ch.area; }), Object.keys(areas).sort(), st.area);

      var sel = changes.filter(function (ch) { return passes(ch, st); });
      var pages = Math.max(1, Math.ceil(sel.length / PAGE_SIZE));
      if (st.change) {
        var at = sel.map(function (ch) { return ch._anchor; }).indexOf(st.change);
        if (at >= 0) st.page = Math.floor(at / PAGE_SIZE) + 1;
      }
      if (st.page > pages) st.page = pages;
      var from = (st.page - 1) * PAGE_SIZE, slice = sel.slice(from, from + PAGE_SIZE);
      shown.textContent = sel.length === changes.length
        ? 'Showing all ' + plural(changes.length, 'change') + (pages > 1 ? ', ' + (from + 1) + '\u2013' + (from + slice.length) + ' on this page' : '') + '.'
        : 'Showing ' + sel.length + ' of ' + plural(changes.length, 'change') + (pages > 1 ? ', ' + (from + 1) + '\u2013' + (from + slice.length) + ' on this page' : '') + '.';
      pager(pagerTop, pages); pager(pagerBottom, pages);

      clear(list);
      var inGroup = countBy(changes, st, null, groupOf), ul = null, last = null;
      slice.forEach(function (ch) {
        var g = groupOf(ch);
        if (g !== last) {
          var gid = 'g-' + g;
          var gs = h('section', { class: 'group', 'aria-labelledby': gid });
          gs.appendChild(h('h3', { id: gid, tabindex: '-1' }, g === 'suppressed' ? 'Suppressed' : verdict(g), ' (' + inGroup[g] + ')'));
          ul = h('ul', { class: 'changes' });
          gs.appendChild(ul);
          list.appendChild(gs);
          last = g;
        }
        ul.appendChild(changeItem(ch, diffHref(lib, oldV, newV, { verdicts: [], kind: '', area: '', text: '', page: 1, change: ch._anchor, priv: !!ch._private })));
      });
      if (!sel.length) list.appendChild(h('p', { class: 'note', text: 'No change matches these filters.' }));
      history.replaceState(null, '', diffHref(lib, oldV, newV, st));
    }

    kindSel.addEventListener('change', function () { st.kind = kindSel.value; st.page = 1; st.change = ''; update(); });
    areaSel.addEventListener('change', function () { st.area = areaSel.value; st.page = 1; st.change = ''; update(); });
    search.addEventListener('input', function () { st.text = search.value.trim(); st.page = 1; st.change = ''; update(); });
    update();
    if (st.change) {
      var el = document.getElementById(st.change);
      if (el) {
        el.classList.add('targeted');
        el.focus({ preventScroll: true });
        el.scrollIntoView({ block: 'start' });
      }
    }
  }

  function changeItem(ch, permalink) {
    var li = h('li', { class: 'change row-v-' + ch.verdict, id: ch._anchor, tabindex: '-1' });
    li.appendChild(h('p', { class: 'change-head' },
      verdict(ch.verdict), ' ', h('code', { class: 'kind', text: ch.id }), ' ',
      h('span', { class: 'subject', text: ch.subject }),
      ch.upcall ? h('span', { class: 'tag', title: 'reached through a callback type: the library calls binding code with it', text: 'upcall surface' }) : null,
      ch.area ? h('span', { class: 'area', text: ch.area }) : null,
      ch._private ? h('span', { class: 'tag private', title: 'inside a private type reached only through pointers: left out of the verdict', text: 'private type' }) : null,
      h('a', { class: 'permalink', href: permalink, 'aria-label': 'Link to this change: ' + ch.id + ' ' + (ch.subject || ''), text: '#' })));
    var dl = h('dl', { class: 'change-body' });
    if (ch.detail) dl.appendChild(h('div', null, h('dt', { text: 'detail' }), h('dd', { text: ch.detail })));
    if (ch.old !== null && ch.old !== undefined || ch.new !== null && ch.new !== undefined) {
      dl.appendChild(h('div', null, h('dt', { text: 'old \u2192 new' }),
        h('dd', null, h('code', { text: ch.old === null || ch.old === undefined ? '\u2014' : ch.old }), ' \u2192 ',
          h('code', { text: ch.new === null || ch.new === undefined ? '\u2014' : ch.new }))));
    }
    if (ch.why) dl.appendChild(h('div', null, h('dt', { text: 'why' }), h('dd', { text: ch.why })));
    if (ch.location && ch.location.file) {
      var where = ch.location.file + (ch.location.line ? ':' + ch.location.line : '');
      dl.appendChild(h('div', null, h('dt', { text: 'declared' }),
        h('dd', { class: 'location' }, ch.location.url && /^https?:\/\//.test(ch.location.url)
          ? h('a', { href: ch.location.url, rel: 'noopener noreferrer' }, h('code', { text: where }))
          : h('code', { text: where }))));
    }
    li.appendChild(dl);
    /* Impacted interfaces, shortest path first: the first few, the rest
       behind a disclosure that is filled when opened. */
    var imp = (ch.impacted || []).map(function (x, i) { return { x: x, i: i }; });
    imp.sort(function (a, b) {
      return (a.x.path || a.x.interface || '').length - (b.x.path || b.x.interface || '').length || a.i - b.i;
    });
    if (imp.length) {
      var item = function (e) { return h('li', null, h('code', { class: 'path', text: e.x.path || e.x.interface })); };
      var box = h('div', { class: 'impacted-box' },
        h('p', { class: 'impacted-head', text: imp.length + (imp.length === 1 ? ' impacted interface' : ' impacted interfaces') + ':' }),
        h('ul', { class: 'impacted' }, imp.slice(0, IMPACTS_SHOWN).map(item)));
      if (imp.length > IMPACTS_SHOWN) {
        var rest = h('ul', { class: 'impacted' });
        var det = h('details', { class: 'impacted-more' }, h('summary', { text: (imp.length - IMPACTS_SHOWN) + ' more' }), rest);
        det.addEventListener('toggle', function () {
          if (det.open && !rest.firstChild) imp.slice(IMPACTS_SHOWN).forEach(function (e) { rest.appendChild(item(e)); });
        });
        box.appendChild(det);
      }
      li.appendChild(box);
    }
    return li;
  }

  /* ------------------------------------------------------------ (d) matrix */

  function viewMatrix(seq, lib) {
    page('Compatibility matrix of ' + lib, [['Libraries', '#/'], [lib, libHref(lib)], ['Matrix', libHref(lib, 'matrix')]]);
    main.appendChild(libNav(lib, 'matrix'));
    loading(seq, 'the matrix of ' + lib);
    return api('/libraries/' + enc(lib) + '/matrix').then(function (m) {
      if (seq !== renderSeq) return;
      var vs = m.versions || [];
      var thead = h('thead', null, h('tr', null,
        h('th', { scope: 'col', class: 'corner' }, h('span', { text: 'built \u2193' }), h('span', { class: 'sep', 'aria-hidden': 'true', text: ' / ' }), h('span', { text: 'running \u2192' })),
        vs.map(function (v) { return h('th', { scope: 'col', text: v }); })));
      var tbody = h('tbody');
      vs.forEach(function (built, i) {
        tbody.appendChild(h('tr', null, h('th', { scope: 'row', text: built }),
          vs.map(function (run, j) {
            var v = (m.cells[i] || [])[j];
            if (i === j || v === null || v === undefined) {
              return h('td', { class: 'cell same' }, h('span', { 'aria-hidden': 'true', text: '=' }), h('span', { class: 'sr-only', text: 'same release' }));
            }
            var d = VERDICTS[v] || { icon: '?', cell: v, word: v, means: '' };
            return h('td', { class: 'cell v-' + v },
              h('a', { href: libHref(lib, 'diff', { old: built, new: run }), title: d.word + ': ' + d.means,
                       'aria-label': 'built against ' + built + ', running with ' + run + ': ' + d.word },
                h('span', { class: 'icon', 'aria-hidden': 'true', text: d.icon }), ' ',
                h('span', { class: 'label', text: d.cell })));
          })));
      });
      main.appendChild(h('p', { text: 'Can a binary built against the row\u2019s release run with the column\u2019s? Each cell links to that diff.' }));
      var view = h('div', { class: 'matrix-view' });
      var wrap = tableWrap(h('table', { class: 'matrix' },
        h('caption', { text: lib + ': built against (rows) \u00D7 running with (columns)' }), thead, tbody), 'Compatibility matrix');
      view.appendChild(wrap);
      /* More releases than a phone's width holds as columns: there, one card
       * per release built against, its verdicts wrapping as the width allows. */
      if (vs.length > 4) {
        wrap.classList.add('matrix-wide');
        view.appendChild(h('div', { class: 'matrix-cards' }, vs.map(function (built, i) {
          return h('section', { class: 'matrix-card', 'aria-label': 'built against ' + built },
            h('p', { class: 'card-title' }, 'Built against ', h('strong', { text: built })),
            h('ul', { class: 'runs' }, vs.map(function (run, j) {
              var v = (m.cells[i] || [])[j];
              if (i === j || v === null || v === undefined) return null;
              var d = VERDICTS[v] || { icon: '?', cell: v, word: v, means: '' };
              return h('li', { class: 'cell v-' + v },
                h('a', { href: libHref(lib, 'diff', { old: built, new: run }), title: d.word + ': ' + d.means,
                         'aria-label': 'built against ' + built + ', running with ' + run + ': ' + d.word },
                  h('span', { class: 'icon', 'aria-hidden': 'true', text: d.icon }), ' ', run, ' ', h('span', { class: 'label', text: d.cell })));
            })));
        })));
      }
      main.appendChild(view);
      main.appendChild(h('h2', { text: 'Legend' }));
      main.appendChild(h('dl', { class: 'matrix-legend' }, ['breaking', 'api-break', 'risky', 'compatible', 'harmless', 'none'].map(function (k) {
        var d = VERDICTS[k];
        return h('div', null, h('dt', { class: 'cell v-' + k }, h('span', { 'aria-hidden': 'true', text: d.icon + ' ' }), d.cell),
                 h('dd', null, k + ': ' + d.means));
      }), h('div', null, h('dt', { class: 'cell same', text: '=' }), h('dd', { text: 'the same release' }))));
      loaded(seq, 'Matrix of ' + lib);
    });
  }

  /* ------------------------------------------------------------ (e) layout */

  function viewLayout(seq, lib, q) {
    page('Struct layout in ' + lib, [['Libraries', '#/'], [lib, libHref(lib)], ['Layout', libHref(lib, 'layout')]]);
    main.appendChild(libNav(lib, 'layout'));
    loading(seq, 'releases of ' + lib);
    return api('/libraries/' + enc(lib) + '/releases').then(function (rels) {
      if (seq !== renderSeq) return;
      var versions = rels.map(function (r) { return r.version; });
      if (!versions.length) { main.appendChild(h('p', { text: 'No releases.' })); return; }
      var a = q.get('a') || versions[Math.max(0, versions.length - 2)], b = q.get('b') || versions[versions.length - 1];
      loading(seq, 'types of ' + a + ' and ' + b);
      var tp = function (v) {
        return versions.indexOf(v) < 0 ? Promise.resolve([]) :
          api('/libraries/' + enc(lib) + '/releases/' + enc(v) + '/types').catch(function () { return []; });
      };
      return Promise.all([tp(a), tp(b)]).then(function (res) {
        if (seq !== renderSeq) return;
        var names = {};
        res[0].concat(res[1]).forEach(function (t) { names[t.name] = true; });
        var list = Object.keys(names).sort();
        var type = q.get('type') || (list.indexOf('struct lua_Debug') >= 0 ? 'struct lua_Debug' : list[0]);
        var form = h('form', { class: 'pick', 'aria-label': 'Choose a type and two releases' },
          h('div', { class: 'field wide' }, h('label', { for: 'type', text: 'Type' }),
            h('select', { id: 'type', name: 'type' }, list.map(function (n) {
              return h('option', { value: n, selected: n === type, text: n });
            }))),
          versionSelect('a', 'Release A', versions, a), versionSelect('b', 'Release B', versions, b),
          h('button', { type: 'submit', text: 'Show' }));
        form.addEventListener('submit', function (e) {
          e.preventDefault();
          location.hash = libHref(lib, 'layout', { type: form.elements.type.value, a: form.elements.a.value, b: form.elements.b.value });
        });
        main.appendChild(form);
        if (!type) { main.appendChild(h('p', { text: 'No named structs or unions in these releases.' })); loaded(seq, 'Types'); return; }
        loading(seq, 'the layout of ' + type);
        var lp = function (v) {
          return api('/libraries/' + enc(lib) + '/releases/' + enc(v) + '/types/' + enc(type))
            .then(function (x) { return { ok: x }; }, function (e) { return { err: e }; });
        };
        return Promise.all([lp(a), lp(b)]).then(function (ls) {
          if (seq !== renderSeq) return;
          renderLayouts(type, [a, b], ls);
          loaded(seq, 'Layout of ' + type);
        });
      });
    });
  }

  function renderLayouts(type, vers, ls) {
    var A = ls[0].ok, B = ls[1].ok;
    var byName = function (L) { var m = {}; (L ? L.members : []).forEach(function (x) { m[x.name] = x; }); return m; };
    var mA = byName(A), mB = byName(B);
    var wrap = h('div', { class: 'layouts' });
    if (A && B) {
      var diffs = 0;
      [[A, mB], [B, mA]].forEach(function (p) {
        p[0].members.forEach(function (x) { if (memberDiff(x, p[1][x.name], '')) diffs++; });
      });
      main.appendChild(h('p', { class: 'summary' }, h('code', { text: type }), ': size ' + A.size + ' \u2192 ' + B.size + ' bytes' +
        (A.size !== B.size ? ' (changed)' : ' (same)') + '; ' +
        (diffs ? diffs + ' member rows differ (marked \u25B2 moved, \u25A0 resized, \u25C6 retyped, \u271A only on one side; each mark gives the other release\u2019s value)' : 'members identical') + '.'));
    }
    [0, 1].forEach(function (i) {
      var L = ls[i].ok, other = i === 0 ? mB : mA, otherL = i === 0 ? B : A;
      var col = h('section', { class: 'layout', 'aria-labelledby': 'lay-' + i });
      col.appendChild(h('h2', { id: 'lay-' + i }, 'Release ' + vers[i]));
      if (!L) {
        col.appendChild(h('div', { class: 'error', role: 'alert' }, h('strong', { text: 'Error' + (ls[i].err.status ? ' ' + ls[i].err.status : '') + ': ' }), ls[i].err.message));
        wrap.appendChild(col); return;
      }
      col.appendChild(h('p', { class: 'meta' }, h('code', { text: L.name }), ' \u2014 size ' + L.size + ', alignment ' + num(L.alignment) +
        ', ' + plural(L.members.length, 'member') + ', ' + plural((L.holes || []).length, 'hole') + (L.padding ? ', ' + L.padding + ' bytes padding' : '') +
        (L.decl_file ? ' \u2014 ' + L.decl_file + (L.decl_line ? ':' + L.decl_line : '') : '')));
      if (L.declaration_only) {
        col.appendChild(h('p', { class: 'note', text: 'Declaration only (an opaque type): ' + vers[i] + ' does not define its layout.' }));
        wrap.appendChild(col); return;
      }
      var rows = [];
      L.members.forEach(function (x) { rows.push({ off: x.offset * 8 + 0.5, m: x }); });
      (L.holes || []).forEach(function (x) { rows.push({ off: x.offset * 8, hole: x }); });
      if (L.padding) rows.push({ off: (L.size - L.padding) * 8 + 0.25, pad: L.padding });
      rows.sort(function (p, q) { return p.off - q.off; });
      var tbody = h('tbody');
      rows.forEach(function (r) {
        if (r.hole) {
          tbody.appendChild(h('tr', { class: 'hole' }, h('td', { class: 'num', text: String(r.hole.offset) }),
            h('td', { class: 'num', text: String(r.hole.size) }), h('td', { colspan: '3' }, h('em', { text: 'hole: ' + r.hole.size + (r.hole.size === 1 ? ' byte' : ' bytes') }))));
          return;
        }
        if (r.pad) {
          tbody.appendChild(h('tr', { class: 'hole' }, h('td', { class: 'num', text: String(L.size - r.pad) }),
            h('td', { class: 'num', text: String(r.pad) }), h('td', { colspan: '3' }, h('em', { text: 'tail padding: ' + r.pad + ' bytes' }))));
          return;
        }
        var x = r.m, dk = otherL ? memberDiff(x, other[x.name], vers[1 - i]) : null;
        var bits = x.bit_size ? ' (bits ' + (x.bit_offset - x.offset * 8) + '+' + x.bit_size + ')' : '';
        tbody.appendChild(h('tr', { class: dk ? 'differs' : null },
          h('td', { class: 'num', text: String(x.offset) + bits }),
          h('td', { class: 'num', text: String(x.size) }),
          h('th', { scope: 'row' }, h('code', { text: x.name || '(anonymous)' })),
          h('td', { class: 'mark wrap' }, dk ? [h('span', { 'aria-hidden': 'true', text: dk[0] + ' ' }), dk[1]] : ''),
          h('td', { class: 'wrap' }, h('code', { text: x.type || '' }))));
      });
      col.appendChild(tableWrap(h('table', { class: 'data stack layout-table' },
        h('caption', { text: L.name + ' in ' + vers[i] }),
        h('thead', null, h('tr', null, ['Offset', 'Size', 'Member', 'Change', 'Type'].map(function (c) { return h('th', { scope: 'col', text: c }); }))),
        tbody), 'Layout in ' + vers[i]));
      wrap.appendChild(col);
    });
    main.appendChild(wrap);
  }
  /* How member x of this side differs from its namesake y on the other
   * side (otherVer): each mark states the OTHER side's value, named by its
   * release, so neither column shows the other's numbers as its own. */
  function memberDiff(x, y, otherVer) {
    if (!y) return ['\u271A', 'not in ' + otherVer];
    var moved = x.offset !== y.offset || (x.bit_offset !== y.bit_offset && x.bit_offset !== undefined && y.bit_offset !== undefined);
    var resized = x.size !== y.size || (x.bit_size || 0) !== (y.bit_size || 0);
    var at = function () { return 'at ' + y.offset + (y.bit_size ? ' (bits ' + (y.bit_offset - y.offset * 8) + '+' + y.bit_size + ')' : ''); };
    var size = function () { return y.bit_size ? y.bit_size + ' bits' : y.size + (y.size === 1 ? ' byte' : ' bytes'); };
    if (moved && resized) return ['\u25B2', at() + ', ' + size() + ' in ' + otherVer];
    if (moved) return ['\u25B2', at() + ' in ' + otherVer];
    if (resized) return ['\u25A0', size() + ' in ' + otherVer];
    if ((x.type || '') !== (y.type || '')) return ['\u25C6', 'type in ' + otherVer + ': ' + y.type];
    return null;
  }

  /* ------------------------------------------------------------ router */

  function parseHash() {
    var hash = location.hash || '#/';
    var qi = hash.indexOf('?');
    var p = qi >= 0 ? hash.slice(1, qi) : hash.slice(1);
    var q = new URLSearchParams(qi >= 0 ? hash.slice(qi + 1) : '');
    var segs = p.split('/').filter(Boolean).map(function (x) {
      try { return decodeURIComponent(x); } catch (e) { return x; }
    });
    return { segs: segs, q: q };
  }

  /* ------------------------------------------------------------ audits (abiguard audit --push) */

  function auditHref(id) { return '#/audits/' + enc(String(id)); }
  function loadWord(loads) {
    return h('span', { class: 'load ' + (loads ? 'load-ok' : 'load-fails') },
      h('span', { 'aria-hidden': 'true', text: loads ? '\u2713 ' : '\u2716 ' }), loads ? 'loads' : 'fails');
  }

  function viewAudits(seq) {
    page('Audits', [['Libraries', '#/'], ['Audits', '#/audits']]);
    loading(seq, 'audits');
    return api('/audits').then(function (rows) {
      if (seq !== renderSeq) return;
      if (!rows.length) {
        main.appendChild(h('p', { text: 'No audits yet. Push one with "abiguard audit ARTIFACT --push URL".' }));
        loaded(seq, 'Audits'); return;
      }
      var tbody = h('tbody');
      rows.forEach(function (a) {
        tbody.appendChild(h('tr', { class: a.loads ? 'row-loads' : 'row-fails' },
          h('th', { scope: 'row', class: 'wrap' }, h('a', { href: auditHref(a.id), text: a.artifact })),
          h('td', { text: a.kind }),
          h('td', null, loadWord(a.loads), a.loads ? '' : ' (' + a.failing + ' of ' + plural(a.binaries, 'binary').replace(/ys$/, 'ies') + ')'),
          h('td', { class: 'wrap', text: (a.targets || []).join(', ') }),
          h('td', { text: a.created })));
      });
      main.appendChild(tableWrap(h('table', { class: 'data stack audits' },
        h('caption', { text: plural(rows.length, 'audit') + ' pushed by \u201cabiguard audit --push\u201d, newest first' }),
        h('thead', null, h('tr', null, ['Artifact', 'Kind', 'Result', 'Targets', 'Pushed'].map(function (c) {
          return h('th', { scope: 'col', text: c });
        }))), tbody), 'Audits table'));
      loaded(seq, 'Audits');
    });
  }

  function findingItem(f) {
    return h('li', { class: 'finding sev-' + f.severity },
      h('strong', { text: f.severity }), ' ', h('code', { text: f.check }), ': ', f.message,
      (f.symbols && f.symbols.length) ? h('ul', { class: 'symbols' }, f.symbols.map(function (x) {
        return h('li', null, h('code', { text: x }));
      })) : null);
  }

  function viewAudit(seq, id) {
    page('Audit ' + id, [['Libraries', '#/'], ['Audits', '#/audits'], ['Audit ' + id, auditHref(id)]]);
    loading(seq, 'the audit');
    return api('/audits/' + enc(id)).then(function (a) {
      if (seq !== renderSeq) return;
      var r = a.report || {}, targets = r.targets || [], bins = r.binaries || [];
      var title = 'Audit of ' + a.artifact;
      document.title = title + ' \u2014 abiguard';
      main.querySelector('h1').textContent = title;
      main.appendChild(h('p', { class: 'audit-summary' }, loadWord(a.loads), ' \u2014 ',
        a.loads ? 'every binary loads on every target.' : a.failing + ' of ' + plural(a.binaries, 'binary').replace(/ys$/, 'ies') + ' fail to load on some target.',
        ' ' + a.kind + ', pushed ' + a.created + '. ', h('a', { href: API + '/audits/' + enc(id), text: 'JSON' })));
      var tbody = h('tbody');
      bins.forEach(function (b, i) {
        tbody.appendChild(h('tr', null,
          h('th', { scope: 'row', class: 'wrap' }, h('code', { text: b.path })),
          targets.map(function (t, k) {
            var res = (b.results || [])[k] || {}, n = (res.findings || []).length;
            return h('td', null, n ? h('a', { href: '#reason-' + i + '-' + k, 'aria-label': (res.loads ? 'loads' : 'fails') + ' on ' + t.name + ': ' + plural(n, 'finding') }, loadWord(res.loads))
                                   : loadWord(res.loads));
          })));
      });
      main.appendChild(tableWrap(h('table', { class: 'data stack audit-matrix' },
        h('caption', { text: 'Each binary on each target' }),
        h('thead', null, h('tr', null, h('th', { scope: 'col', text: 'Binary' }), targets.map(function (t) {
          return h('th', { scope: 'col', text: t.name });
        }))), tbody), 'Binaries by target'));
      var reasons = h('section', { class: 'reasons', 'aria-labelledby': 'reasons-h' }, h('h2', { id: 'reasons-h', text: 'Reasons' }));
      var any = false;
      bins.forEach(function (b, i) {
        targets.forEach(function (t, k) {
          var res = (b.results || [])[k] || {};
          if (!(res.findings || []).length) return;
          any = true;
          reasons.appendChild(h('h3', { id: 'reason-' + i + '-' + k }, h('code', { text: b.path }), ' on ' + t.name + ': ', loadWord(res.loads)));
          reasons.appendChild(h('ul', { class: 'findings' }, res.findings.map(findingItem)));
        });
      });
      if (!any) reasons.appendChild(h('p', { text: 'No finding: nothing stands in the way of loading.' }));
      main.appendChild(reasons);
      if ((r.bundled || []).length) {
        var bl = h('section', { class: 'bundled', 'aria-labelledby': 'bundled-h' }, h('h2', { id: 'bundled-h', text: 'Bundled libraries' }));
        r.bundled.forEach(function (b) {
          var sys = b.system_copy;
          bl.appendChild(h('h3', null, h('code', { text: b.path })));
          bl.appendChild(h('ul', null,
            h('li', null, 'SONAME ', h('code', { text: b.original_soname }), b.renamed ? [' grafted as ', h('code', { text: b.soname })] : '',
              ', build-id ', h('code', { text: b.build_id || 'none' })),
            h('li', null, 'needed by ', (b.users || []).join(', ')),
            h('li', null, 'this build: ' + (b.release || (r.catalog ? 'not in ' + r.catalog : 'not looked up')),
              (b.checks || []).map(function (c) { return [' \u2014 ', h('code', { text: c.binary }), ' ', verdict(c.verdict)]; })),
            sys ? h('li', null, 'system copy: ' + sys.release + '; ' + (sys.coexist ? 'both can be loaded into one process' : 'not both in one process (same SONAME)'),
              (sys.checks || []).map(function (c) { return [' \u2014 ', h('code', { text: c.binary }), ' ', verdict(c.verdict)]; })) : null));
        });
        main.appendChild(bl);
      }
      loaded(seq, 'Audit');
    });
  }

  function route() {
    var hash = location.hash;
    if (hash && hash.charAt(1) !== '/') return;       // in-page anchors (#g-breaking, #main)
    var seq = ++renderSeq, r = parseHash(), segs = r.segs, p;
    if (segs.length === 0) p = viewLibraries(seq);
    else if (segs[0] === 'lib' && segs.length === 2) p = viewTimeline(seq, segs[1]);
    else if (segs[0] === 'lib' && segs.length === 3 && segs[2] === 'diff') p = viewDiff(seq, segs[1], r.q);
    else if (segs[0] === 'lib' && segs.length === 3 && segs[2] === 'matrix') p = viewMatrix(seq, segs[1]);
    else if (segs[0] === 'lib' && segs.length === 3 && segs[2] === 'layout') p = viewLayout(seq, segs[1], r.q);
    else if (segs[0] === 'lib' && segs.length === 5 && segs[2] === 'binding') p = viewBinding(seq, segs[1], segs[3], segs[4], r.q);
    else if (segs[0] === 'audits' && segs.length === 1) p = viewAudits(seq);
    else if (segs[0] === 'audits' && segs.length === 2) p = viewAudit(seq, segs[1]);
    else if (segs[0] === 'lib' && segs.length === 4 && segs[2] === 'release') p = viewRelease(seq, segs[1], segs[3]);
    else {
      page('Not found', [['Libraries', '#/'], ['Not found', location.hash]]);
      p = Promise.reject(new ApiError(404, 'no such page: ' + location.hash));
    }
    var focusHeading = !firstRender;
    firstRender = false;
    if (focusHeading) { var h1 = main.querySelector('h1'); if (h1) h1.focus({ preventScroll: false }); window.scrollTo(0, 0); }
    Promise.resolve(p).catch(function (e) { showError(e, seq); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    main = document.getElementById('main');
    crumbs = document.getElementById('crumbs');
    statusEl = document.getElementById('status');
    // in-page links must not go through the router's hash
    document.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a[href^="#"]');
      if (!a) return;
      var href = a.getAttribute('href');
      if (href.charAt(1) === '/') return;
      e.preventDefault();
      var target = document.getElementById(href.slice(1));
      if (target) {
        if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
        target.focus(); target.scrollIntoView();
      }
    });
    window.addEventListener('hashchange', route);
    route();
    showServedStore();
  });

  /* Which store this is (several `abiguard serve` may run side by side). */
  function showServedStore() {
    var el = document.getElementById('served-store');
    if (!el) return;
    fetch('/healthz', { headers: { 'Accept': 'application/json' } }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (j) {
      if (j && j.store) el.textContent = 'Store: ' + j.store + ' \u00b7 abiguard ' + (j.version || '');
    }).catch(function () { /* the page works without it */ });
  }
})();
