// OrleansTenancy dashboard: polls the silo's JSON endpoints and redraws in place (no reload, no libraries).
// Every value from the server is written with textContent or an attribute, never parsed as HTML.
'use strict';

(() => {
  const body = document.body;
  const base = body.dataset.base || '';
  const refreshMs = Math.max(1000, Number(body.dataset.refreshMs) || 5000);
  const SVG = 'http://www.w3.org/2000/svg';
  const state = { tenant: null, period: 'this_month', overview: null, timer: 0 };

  // ---------------------------------------------------------------- formatting

  const usdFormats = new Map();
  function usd(value) {
    const size = Math.abs(value);
    const digits = size === 0 || size >= 1 ? 2 : size >= 0.01 ? 4 : 8;
    if (!usdFormats.has(digits)) {
      usdFormats.set(digits, new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: digits }));
    }
    return usdFormats.get(digits).format(value);
  }

  const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const plural = (value, one, many) => `${integer.format(value)} ${value === 1 ? one : many}`;

  function amount(metric, value) {
    switch (metric) {
      case 'cost_usd': return usd(value);
      case 'tokens': return plural(value, 'token', 'tokens');
      default: return plural(value, 'call', 'calls');
    }
  }

  const percent = (value) => `${Number(value).toFixed(1)} %`;
  const METRICS = { cost_usd: 'Cost', tokens: 'Tokens', executions: 'Calls' };
  const LEVELS = { ok: 'Within limit', near: 'Near cap', reached: 'Cap reached' };
  const LIMIT_FIELDS = {
    daily_cap_usd: 'daily cost cap', monthly_cap_usd: 'monthly cost cap',
    daily_tokens: 'daily token cap', monthly_tokens: 'monthly token cap',
    daily_executions: 'daily call cap', monthly_executions: 'monthly call cap',
    max_per_request: 'per-request cost cap',
  };

  const limitName = (usage) =>
    `${METRICS[usage.metric] || usage.metric} per ${usage.period}` + (usage.workspace ? ` · workspace ${usage.workspace}` : '');

  const limitField = (reason) => (LIMIT_FIELDS[reason] ? `${LIMIT_FIELDS[reason]} (${reason})` : reason);

  /** An instant as yyyy-MM-dd HH:mm in a tenant's time zone, naming the zone; UTC when the browser does not know it. */
  function localTime(iso, zone, seconds) {
    const instant = new Date(iso);
    for (const timeZone of [zone, 'UTC']) {
      try {
        const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
          timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
          second: seconds ? '2-digit' : undefined, hourCycle: 'h23',
        }).formatToParts(instant).map((p) => [p.type, p.value]));
        const time = `${parts.hour}:${parts.minute}` + (seconds ? `:${parts.second}` : '');
        return `${parts.year}-${parts.month}-${parts.day} ${time} (${timeZone})`;
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
      }
    }
    return iso;
  }

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : String(value));
    }
    node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return node;
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    node.append(...children.flat().filter((c) => c !== null && c !== undefined));
    return node;
  }

  /** Open state of every kept <details> as drawn now: a redraw keeps what the reader opened or closed. */
  let drawnOpen = new Map();
  function noteOpenDetails() {
    drawnOpen = new Map([...document.querySelectorAll('details[data-keep]')].map((d) => [d.dataset.keep, d.open]));
  }

  function details(key, openByDefault, summary, ...children) {
    const open = drawnOpen.has(key) ? drawnOpen.get(key) : openByDefault;
    return el('details', { 'data-keep': key, open }, el('summary', {}, summary), ...children);
  }

  /** Replaces a container's children, keeping keyboard focus on the control with the same data-focus-key. */
  function replaceKeepingFocus(container, children) {
    const key = document.activeElement && container.contains(document.activeElement) ? document.activeElement.dataset.focusKey : undefined;
    container.replaceChildren(...children);
    if (key) container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
  }

  // ---------------------------------------------------------------- data

  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function getJson(path) {
    const response = await fetch(base + path, { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) {
      let detail = response.statusText;
      try { const problem = await response.json(); detail = problem.detail || problem.title || detail; } catch { /* not JSON */ }
      throw new HttpError(response.status, `${path}: ${response.status} ${detail}`);
    }
    return response.json();
  }

  // ---------------------------------------------------------------- tenants

  function bar(usage, level) {
    const limit = Number(usage.limit);
    const share = (value) => (limit > 0 ? Math.min(100, Math.max(0, (Number(value) / limit) * 100)) : value > 0 ? 100 : 0);
    const spent = share(usage.spent);
    const reserved = Math.min(100 - spent, share(usage.reserved));
    return svg('svg', {
      class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', role: 'img',
      'aria-label': `${limitName(usage)}: ${percent(usage.percent_used)} used, ${LEVELS[level].toLowerCase()}`,
    },
    svg('rect', { class: 'track', width: 100, height: 10 }),
    svg('rect', { class: 'spent', width: spent, height: 10 }),
    svg('rect', { class: 'reserved', x: spent, width: reserved, height: 10 }),
    svg('line', { class: 'mark', x1: 80, x2: 80, y1: 0, y2: 10 }));
  }

  function limitItem(tenant, view) {
    const usage = view.usage;
    const level = view.level;
    const status = level === 'ok' ? `${percent(usage.percent_used)} used` : `${LEVELS[level]}: ${percent(usage.percent_used)} used`;
    return el('li', {
      class: `limit level-${level}`, 'data-metric': usage.metric, 'data-period': usage.period,
      'data-workspace': usage.workspace || '', 'data-level': level,
    },
    el('div', { class: 'limit-head' },
      el('span', { class: 'limit-name' }, limitName(usage)),
      el('span', { class: `limit-status level-text-${level}` }, status)),
    bar(usage, level),
    el('p', { class: 'figures' },
      el('span', { 'data-figure': 'spent' }, `${amount(usage.metric, usage.spent)} spent`), ' + ',
      el('span', { 'data-figure': 'reserved' }, `${amount(usage.metric, usage.reserved)} reserved`), ' of ',
      el('span', { 'data-figure': 'limit' }, amount(usage.metric, usage.limit)), ' · ',
      el('span', { 'data-figure': 'remaining' }, `${amount(usage.metric, usage.remaining)} left`)),
    el('p', { class: 'figures secondary' },
      el('span', { 'data-figure': 'resets' }, `Resets ${localTime(usage.resets_at, tenant.timezone)}`), ' · ',
      el('span', { 'data-figure': 'forecast' }, `forecast ${amount(usage.metric, usage.forecast_at_period_end)} by the end of the ${usage.period}`)));
  }

  function refusalsNote(tenant) {
    if (!tenant.refusals.length) return null;
    const total = tenant.refusals.reduce((sum, r) => sum + r.count, 0);
    return el('div', { class: 'refusals', 'data-refusals': total },
      el('strong', {}, `${plural(total, 'call', 'calls')} refused`), ' by this silo since it started:',
      el('ul', {}, tenant.refusals.map((r) => el('li', { 'data-reason': r.reason },
        `${plural(r.count, 'call', 'calls')} from workspace ${r.workspace} refused by the ${limitField(r.reason)}, last at ${localTime(r.last_at, tenant.timezone, true)}`))));
  }

  /** Workspace sub-caps, folded unless one of them is near or at its cap. */
  function workspaceLimits(tenant) {
    const views = tenant.limits.filter((view) => view.usage.workspace);
    if (!views.length) return null;
    const fullest = views.reduce((a, b) => (b.usage.percent_used > a.usage.percent_used ? b : a));
    const pressing = views.some((view) => view.level !== 'ok');
    return details(`workspaces-${tenant.slug}`, pressing,
      `Workspace sub-caps: ${views.length} (fullest ${percent(fullest.usage.percent_used)}${pressing ? `, ${LEVELS[fullest.level].toLowerCase()}` : ''})`,
      el('ul', { class: 'limits' }, views.map((view) => limitItem(tenant, view))));
  }

  function tenantCard(tenant) {
    const worst = tenant.limits.reduce((a, b) => (b.usage.percent_used > (a ? a.usage.percent_used : -1) ? b : a), null);
    const stateText = tenant.error ? null
      : !worst ? 'No period limits configured.'
        : tenant.level === 'ok' ? `${LEVELS.ok}: fullest is ${limitName(worst.usage).toLowerCase()} at ${percent(worst.usage.percent_used)}.`
          : `${LEVELS[tenant.level]}: ${limitName(worst.usage).toLowerCase()} at ${percent(worst.usage.percent_used)}.`;
    const meta = [
      tenant.status === 'active' ? 'Active' : 'Suspended',
      tenant.error ? null : `${tenant.enforcement} enforcement`,
      `time zone ${tenant.timezone}`,
      tenant.error ? null : `${plural(tenant.open_reservations, 'call', 'calls')} in flight`,
      tenant.max_per_request_usd != null ? `at most ${usd(tenant.max_per_request_usd)} per request` : null,
    ].filter(Boolean).join(' · ');
    return el('article', { class: `tenant level-${tenant.level}`, 'data-tenant': tenant.slug, 'data-level': tenant.level, 'aria-labelledby': `tenant-${tenant.slug}` },
      el('div', { class: 'tenant-head' },
        el('h3', { id: `tenant-${tenant.slug}` }, tenant.display_name, ' ', el('span', { class: 'slug' }, `(${tenant.slug})`)),
        el('button', {
          type: 'button', 'data-focus-key': `show-${tenant.slug}`, 'data-show': tenant.slug,
          'aria-controls': 'detail', 'aria-describedby': `tenant-${tenant.slug}`,
        },
          state.tenant === tenant.slug ? 'Showing usage' : 'Show usage')),
      el('p', { class: 'meta' }, meta),
      tenant.error ? el('p', { class: 'tenant-error', role: 'alert' }, tenant.error) : null,
      stateText ? el('p', { class: `tenant-state level-text-${tenant.level}` }, stateText) : null,
      el('ul', { class: 'limits' }, tenant.limits.filter((view) => !view.usage.workspace).map((view) => limitItem(tenant, view))),
      workspaceLimits(tenant),
      refusalsNote(tenant));
  }

  function renderOverview(overview) {
    state.overview = overview;
    const tenants = overview.tenants;
    replaceKeepingFocus(document.getElementById('tenants'), tenants.map(tenantCard));

    const reached = tenants.filter((t) => t.level === 'reached').length;
    const near = tenants.filter((t) => t.level === 'near').length;
    document.getElementById('tenant-summary').textContent =
      `${plural(tenants.length, 'tenant', 'tenants')}: ${reached} at or over a cap, ${near} near a cap (80 % or more), ${tenants.length - reached - near} within their limits.`;
    document.title = (reached ? `(${reached} at cap) ` : '') + 'Tenant budgets · OrleansTenancy';

    const select = document.getElementById('tenant-select');
    const options = tenants.map((t) => el('option', { value: t.slug, selected: t.slug === state.tenant }, `${t.display_name} (${t.slug})`));
    if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== options[i].value)) {
      select.replaceChildren(...options);
    }
    select.value = state.tenant || '';

    renderAlerts(overview.alerts, tenants);
  }

  function renderAlerts(alerts, tenants) {
    const zone = (slug) => (tenants.find((t) => t.slug === slug) || {}).timezone || 'UTC';
    const list = document.getElementById('alerts');
    if (!alerts.length) {
      list.replaceChildren(el('li', { class: 'none' }, 'No alert has fired in the alerts kept.'));
      return;
    }
    const attempts = (n) => `${n} attempt${n === 1 ? '' : 's'}`;
    const delivery = (d, tenant) => {
      const state = d.status === 'delivered' ? `delivered (${attempts(d.attempts)})`
        : d.status === 'failed' ? `failed after ${attempts(d.attempts)}: ${d.last_error}`
        : d.attempts === 0 ? 'pending'
        : `pending, ${attempts(d.attempts)} so far (${d.last_error}); next at ${localTime(d.next_attempt_at, zone(tenant), true)}`;
      return el('li', { 'data-status': d.status, 'data-format': d.format }, `${d.format} webhook ${d.webhook}: ${state}`);
    };
    list.replaceChildren(...alerts.map((a) => el('li', {
      class: a.threshold_percent >= 100 ? 'level-reached' : 'level-near',
      'data-tenant': a.tenant, 'data-limit': a.limit, 'data-threshold': a.threshold_percent, 'data-key': a.key,
    },
    el('strong', {}, a.tenant),
    ` · ${a.limit}${a.workspace ? ` of workspace ${a.workspace}` : ''}: the ${percent(a.threshold_percent)} threshold fired at ${localTime(a.fired_at, zone(a.tenant))} (${percent(a.percent_used)} used).`,
    a.deliveries.length
      ? el('ul', { class: 'deliveries' }, a.deliveries.map((d) => delivery(d, a.tenant)))
      : el('p', { class: 'hint' }, 'No webhook is configured for this tenant.'))));
  }

  // ---------------------------------------------------------------- usage charts

  /** Drawing units equal CSS pixels, so labels keep their size on any screen. */
  const chartWidth = (figure) => Math.max(280, figure.querySelector('.chart-body').clientWidth || 600);

  function emptyChart(figure, text) {
    figure.querySelector('.chart-body').replaceChildren(el('p', { class: 'empty' }, text));
  }

  function dataTable(key, caption, headers, rows) {
    return details(key, false, 'Show as table',
      el('table', {}, el('caption', { class: 'visually-hidden' }, caption),
        el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null }, h)))),
        el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: i ? 'num' : null }, c)))))));
  }

  function columnChart(figure, days) {
    const costs = days.map((d) => Number(d.totals.cost_usd));
    const max = Math.max(...costs, 0);
    if (!days.length || max === 0) {
      emptyChart(figure, 'No cost in this period yet.');
      return;
    }
    const width = chartWidth(figure), height = 190, left = 80, bottom = 22, top = 8;
    const step = Math.min(48, (width - left) / days.length);
    const y = (value) => top + (height - top - bottom) * (1 - value / max);
    const labelEvery = Math.ceil(days.length / 8);
    const total = costs.reduce((a, b) => a + b, 0);
    const peak = days[costs.indexOf(max)];
    const chart = svg('svg', {
      viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': `Cost per day from ${days[0].date} to ${days[days.length - 1].date}: ${usd(total)} in all, most on ${peak.date} (${usd(max)}).`,
    },
    svg('line', { class: 'axis', x1: left, x2: width, y1: height - bottom, y2: height - bottom }),
    svg('text', { x: left - 6, y: top + 8, 'text-anchor': 'end' }, usd(max)),
    svg('text', { x: left - 6, y: height - bottom, 'text-anchor': 'end' }, usd(0)),
    days.map((d, i) => svg('g', {},
      svg('rect', {
        class: 'column', x: left + i * step + step * 0.15, width: Math.max(1, step * 0.7),
        y: y(costs[i]), height: Math.max(0, height - bottom - y(costs[i])),
      }, svg('title', {}, `${d.date}: ${usd(costs[i])}, ${plural(d.totals.requests, 'request', 'requests')}`)),
      i % labelEvery === 0 ? svg('text', { x: left + i * step + step / 2, y: height - 6, 'text-anchor': 'middle' }, d.date.slice(5)) : null)));
    figure.querySelector('.chart-body').replaceChildren(chart,
      dataTable('table-days', 'Cost per day', ['Day', 'Cost', 'Requests'], days.map((d) => [d.date, usd(Number(d.totals.cost_usd)), integer.format(d.totals.requests)])));
  }

  function barChart(figure, rows, noun) {
    const costs = rows.map((r) => Number(r.totals.cost_usd));
    const max = Math.max(...costs, 0);
    if (!rows.length) {
      emptyChart(figure, `No ${noun} used in this period yet.`);
      return;
    }
    const width = chartWidth(figure), row = 24, labelWidth = Math.min(240, width * 0.4), valueWidth = 150;
    const span = width - labelWidth - valueWidth;
    const chart = svg('svg', { viewBox: `0 0 ${width} ${rows.length * row + 4}`, role: 'img', 'aria-label': `Cost by ${noun}: ` + rows.map((r, i) => `${r.key} ${usd(costs[i])}`).join(', ') },
      rows.map((r, i) => {
        const room = Math.floor(labelWidth / 7);
        const label = r.key.length > room ? `${r.key.slice(0, room - 1)}…` : r.key;
        return svg('g', { 'data-key': r.key },
          svg('text', { x: 0, y: i * row + 16 }, svg('title', {}, r.key), label),
          svg('rect', { class: 'hbar', x: labelWidth, y: i * row + 5, height: 14, width: max > 0 ? Math.max(1, (costs[i] / max) * span) : 1 }),
          svg('text', { x: width, y: i * row + 16, 'text-anchor': 'end' }, `${usd(costs[i])} · ${plural(r.totals.requests, 'req', 'reqs')}`));
      }));
    figure.querySelector('.chart-body').replaceChildren(chart,
      dataTable(`table-${figure.id}`, `Cost by ${noun}`, [noun[0].toUpperCase() + noun.slice(1), 'Cost', 'Requests', 'Tokens'],
        rows.map((r, i) => [r.key, usd(costs[i]), integer.format(r.totals.requests), integer.format(r.totals.tokens_in + r.totals.tokens_out)])));
  }

  function renderUsage(report) {
    const t = report.totals;
    document.getElementById('usage-totals').textContent =
      `${usd(Number(t.cost_usd))} spent on ${plural(t.requests, 'request', 'requests')} (${plural(t.tokens_in + t.tokens_out, 'token', 'tokens')}, ${integer.format(t.cached_requests)} from the cache), ${report.window.first_date} to ${report.window.last_date}.`;
    columnChart(document.getElementById('chart-days'), report.by_day);
    barChart(document.getElementById('chart-models'), report.by_model, 'model');
    barChart(document.getElementById('chart-workspaces'), report.by_workspace, 'workspace');
  }

  // ---------------------------------------------------------------- executions

  const OUTCOMES = { ok: 'OK', error: 'Error', cancelled: 'Cancelled', incomplete: 'Incomplete', denied: 'Refused', refused: 'Refused', rate_limited: 'Refused' };

  /** Why a request was refused or failed, when the row says. */
  const reasonOf = (row) => row.reason || row.error || row.message || '';

  function renderExecutions(page, zone) {
    const rows = page.items.map((row) => {
      const outcome = OUTCOMES[row.status] || row.status;
      const refused = outcome === 'Refused';
      const outcomeClass = refused ? 'outcome-refused' : row.status === 'ok' ? null : 'outcome-error';
      return el('tr', { class: refused ? 'refused' : null, 'data-request': row.request_id, 'data-status': row.status },
        el('td', {}, localTime(row.created_at, zone, true)),
        el('td', {}, row.workspace),
        el('td', {}, row.model),
        el('td', { class: outcomeClass }, row.cached ? `${outcome} (cache)` : outcome),
        el('td', { class: 'num' }, `${integer.format(row.tokens_in)} / ${integer.format(row.tokens_out)}`),
        el('td', { class: 'num' }, usd(Number(row.cost_usd))),
        el('td', { class: 'num' }, `${integer.format(row.latency_ms)} ms`),
        el('td', { class: 'reason' }, reasonOf(row)));
    });
    document.querySelector('#executions tbody').replaceChildren(...(rows.length ? rows
      : [el('tr', {}, el('td', { colspan: 8 }, 'No executions recorded yet.'))]));
  }

  // ---------------------------------------------------------------- silos

  // The same answer as GET /admin/cluster (and `tenancy cluster`): every silo membership knows, and whether the
  // silos that answered loaded the same tenants.
  function renderSilos(cluster) {
    document.querySelector('#silos tbody').replaceChildren(...cluster.silos.map((s) => el('tr',
      { 'data-silo': s.name, 'data-status': s.status, class: s.registry_differs ? 'registry-differs' : null },
      el('td', {}, s.name, s.is_this_silo ? ' (this silo)' : ''),
      el('td', {}, s.status.replace('_', ' ')),
      el('td', {}, [s.address, ...(s.http_addresses || [])].join(', ')),
      el('td', {}, s.uptime_seconds === undefined ? '—' : uptime(s.uptime_seconds)),
      el('td', { class: 'num' }, s.activations === undefined ? '—' : integer.format(s.activations)),
      el('td', { class: s.registry_differs ? 'outcome-refused' : null },
        s.registry_hash === undefined ? (s.problem || '—') : s.registry_hash,
        s.registry_differs ? ' — tenants differ' : ''),
      el('td', {}, s.version || '—'))));
    const agreement = document.getElementById('registry-agreement');
    const odd = cluster.silos.filter((s) => s.registry_differs).map((s) => s.name);
    agreement.classList.toggle('problem', !cluster.registries_agree);
    agreement.textContent = cluster.registries_agree
      ? `Every silo that answered loaded the same tenants${cluster.registry_hash ? ` (registry ${cluster.registry_hash})` : ''}.`
      : cluster.registry_hash
        ? `Tenants differ from the majority (registry ${cluster.registry_hash}) on: ${odd.join(', ')}. Check their tenants folders, then reload.`
        : `The silos loaded different tenants and no registry is held by most of them: ${odd.join(', ')}.`;
  }

  function uptime(seconds) {
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
  }

  // ---------------------------------------------------------------- the loop

  function selectTenant(slug, period) {
    state.tenant = slug;
    if (period) state.period = period;
    history.replaceState(null, '', `#tenant=${encodeURIComponent(slug)}&period=${state.period}`);
    document.getElementById('period-select').value = state.period;
    refreshNow();
  }

  async function refresh() {
    try {
      const [overview, silos] = await Promise.all([getJson('/dashboard/api/overview'), getJson('/admin/cluster')]);
      noteOpenDetails();
      if (!state.tenant || !overview.tenants.some((t) => t.slug === state.tenant)) {
        state.tenant = overview.tenants.length ? overview.tenants[0].slug : null;
      }
      renderOverview(overview);
      renderSilos(silos);
      const detail = document.getElementById('detail');
      if (state.tenant) {
        const tenant = encodeURIComponent(state.tenant);
        const [usage, executions] = await Promise.all([
          getJson(`/admin/tenants/${tenant}/usage?period=${state.period}`),
          getJson(`/admin/tenants/${tenant}/executions?page_size=20`),
        ]);
        const current = overview.tenants.find((t) => t.slug === state.tenant);
        document.getElementById('detail-tenant').textContent = `${current.display_name} (${current.slug})`;
        detail.hidden = false; // before drawing: the charts take the width they are shown at
        renderUsage(usage);
        renderExecutions(executions, current.timezone);
      } else {
        detail.hidden = true;
      }
      const problem = document.getElementById('problem');
      problem.hidden = true;
      problem.textContent = '';
      document.getElementById('freshness').textContent =
        `Updated ${new Date().toLocaleTimeString('en-GB')} · refreshes every ${refreshMs / 1000} s`;
      body.dataset.updates = String(Number(body.dataset.updates || 0) + 1);
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) {
        window.location.assign(`${base}/dashboard/login`);
        return;
      }
      const problem = document.getElementById('problem');
      problem.textContent = `Could not refresh (${error.message}); the figures shown are from the last successful update.`;
      problem.hidden = false;
    } finally {
      clearTimeout(state.timer);
      state.timer = setTimeout(refresh, refreshMs);
    }
  }

  function refreshNow() {
    clearTimeout(state.timer);
    state.timer = setTimeout(refresh, 0);
  }

  document.getElementById('tenants').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-show]');
    if (button) {
      selectTenant(button.dataset.show);
      document.getElementById('detail-heading').scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  });
  document.getElementById('tenant-select').addEventListener('change', (event) => selectTenant(event.target.value));
  document.getElementById('period-select').addEventListener('change', (event) => selectTenant(state.tenant, event.target.value));
  document.getElementById('detail-controls').addEventListener('submit', (event) => event.preventDefault());

  const hash = new URLSearchParams(window.location.hash.slice(1));
  state.tenant = hash.get('tenant');
  if (['today', 'this_week', 'this_month'].includes(hash.get('period'))) state.period = hash.get('period');
  document.getElementById('period-select').value = state.period;
  refresh();
})();
