// The runs list: GET /runs, refreshed whenever /events reports activity on any run.
(() => {
  const { el, dateTime, duration, between, setConnection, eventTypes } = window.sagawf;
  const body = document.getElementById('runs');
  let refreshTimer = null;

  async function refresh() {
    const response = await window.sagawf.api('/runs', { headers: { Accept: 'application/json' } });
    if (!response.ok) return;
    const runs = await response.json();
    body.replaceChildren(...(runs.length === 0
      ? [el('tr', {}, el('td', { colspan: 6, class: 'muted', text: 'No runs yet.' }))]
      : runs.map(row)));
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

  refresh();
  connect();
})();
