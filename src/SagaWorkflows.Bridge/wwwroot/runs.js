// The runs list: GET /runs with the filters (status, workflowId, runId: all or part of one) and a page
// (offset, limit) kept in the address, so a filtered list can be shared; refreshed whenever /events reports
// activity on any run.
(() => {
  const { el, dateTime, duration, between, setConnection, eventTypes } = window.sagawf;
  const body = document.getElementById('runs');
  const filters = document.getElementById('filters');
  const pageSize = 25;
  const workflowIds = new Set();
  let refreshTimer = null;

  function state() {
    const params = new URLSearchParams(location.search);
    return {
      status: params.get('status') || '', workflowId: params.get('workflowId') || '', runId: params.get('runId') || '',
      offset: Math.max(0, Number(params.get('offset')) || 0),
    };
  }

  function setState(next) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) params.set(key, String(value));
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
    refresh();
  }

  function showFilters() {
    const s = state();
    filters.elements.status.value = s.status;
    filters.elements.workflowId.value = s.workflowId;
    filters.elements.runId.value = s.runId;
  }

  async function refresh() {
    const s = state();
    const query = new URLSearchParams({ limit: String(pageSize + 1), offset: String(s.offset) });
    if (s.status) query.set('status', s.status);
    if (s.workflowId) query.set('workflowId', s.workflowId);
    if (s.runId) query.set('runId', s.runId);
    const response = await window.sagawf.api(`/runs?${query}`, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      body.replaceChildren(el('tr', {}, el('td', { colspan: 6, class: 'error', text: problem.detail || `HTTP ${response.status}` })));
      return;
    }
    const all = await response.json();
    const runs = all.slice(0, pageSize);
    const filtered = Boolean(s.status || s.workflowId || s.runId);
    body.replaceChildren(...(runs.length === 0
      ? [el('tr', {}, el('td', { colspan: 6, class: 'muted', text: filtered ? 'No run matches these filters.' : 'No runs yet.' }))]
      : runs.map(row)));
    for (const run of runs) {
      if (run.workflowId && !workflowIds.has(run.workflowId)) {
        workflowIds.add(run.workflowId);
        document.getElementById('workflow-ids').append(el('option', { value: run.workflowId }));
      }
    }
    document.getElementById('newer').disabled = s.offset === 0;
    document.getElementById('older').disabled = all.length <= pageSize;
    document.getElementById('page-info').textContent =
      runs.length ? `runs ${s.offset + 1}–${s.offset + runs.length}${filtered ? ' (filtered)' : ''}` : '';
  }

  function row(run) {
    const ended = run.endedAt != null;
    return el('tr', { 'data-run-id': run.runId, 'data-status': run.status },
      el('td', {}, el('a', { href: `/runs/${run.runId}`, text: run.runId })),
      el('td', { text: run.workflowId || '—' }),
      el('td', {}, el('span', { class: 'badge status', 'data-status': run.status, text: run.status })),
      el('td', { text: dateTime(run.createdAt) }),
      el('td', { text: run.startedAt ? duration(between(run.startedAt, ended ? run.endedAt : null)) : '—' }),
      el('td', { class: 'muted', text: run.lastEventType ? `#${run.lastSequence} ${run.lastEventType}` : '—' }));
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, 250);
  }

  function connect() {
    // Live only: the list itself comes from GET /runs, so no history is needed here.
    const source = new EventSource(window.sagawf.streamUrl('/events'));
    source.onopen = () => { setConnection('live', 'live'); scheduleRefresh(); };
    source.onmessage = scheduleRefresh;
    for (const type of eventTypes) source.addEventListener(type, scheduleRefresh);
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setConnection('offline', 'offline — retrying');
        window.sagawf.checkAccess().then((ok) => {
          if (!ok) setConnection('offline', 'API key needed — reload to enter it');
          setTimeout(connect, 3000);
        });
      } else {
        setConnection('connecting', 'reconnecting…');
      }
    };
  }

  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(filters);
    setState({
      status: String(form.get('status') || ''), workflowId: String(form.get('workflowId') || '').trim(),
      runId: String(form.get('runId') || '').trim(), offset: 0,
    });
  });
  filters.addEventListener('reset', () => setTimeout(() => setState({}), 0));
  filters.elements.status.addEventListener('change', () => filters.requestSubmit());
  document.getElementById('newer').addEventListener('click', () => setState({ ...state(), offset: Math.max(0, state().offset - pageSize) }));
  document.getElementById('older').addEventListener('click', () => setState({ ...state(), offset: state().offset + pageSize }));

  document.getElementById('start').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const result = document.getElementById('start-result');
    let input = null;
    const text = String(form.get('input') || '').trim();
    if (text) {
      try { input = JSON.parse(text); } catch (err) { result.textContent = `input is not JSON: ${err.message}`; return; }
    }
    const response = await window.sagawf.api('/runs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ workflowId: String(form.get('workflowId') || '').trim() || null, input }),
    });
    const answer = await response.json();
    if (response.status === 202) location.href = `/runs/${answer.runId}`;
    else result.textContent = answer.detail || answer.title || `HTTP ${response.status}`;
  });

  showFilters();
  refresh();
  connect();
})();
