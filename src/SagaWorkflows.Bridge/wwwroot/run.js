// The run page: the run's definition (from its workflow-start event) drawn as a graph (graph.js), coloured by the
// bridge's snapshot of the run (GET /runs/{runId}), which is fetched again whenever the run's event stream
// (GET /runs/{runId}/events: history, then live, gapless, resumed with Last-Event-ID) says something happened. Details, actions and signal forms
// read the same snapshot.
(() => {
  const { el, time, duration, delay: formatDelay, between, error, setConnection, eventTypes, api } = window.sagawf;
  const runId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  const base = `/runs/${encodeURIComponent(runId)}`;
  const eventsBody = document.getElementById('events');
  const maxLogRows = 500;
  const largeJson = 400;

  let snapshot = null;
  let definitionState = 'unknown'; // unknown | loaded | missing
  let lastSequence = 0;
  let ended = false;
  let openPath = null;
  const stepEvents = new Map(); // path -> events about it, for the details' raw view
  const compensationWalk = []; // step-compensated / compensation-error events, in the order they happened
  const signalForms = new Map(); // wait path -> form
  // Streamed ai steps' text so far, from step-progress (a live side channel, outside the Sequence, not replayed on a
  // reconnect): path -> { attempt, end (offset after the last character received), text, missed (characters not received) }.
  const streams = new Map();
  const endedAttempts = new Map(); // path -> the last attempt a step-retry ended: its late progress is ignored
  let rejectionsSeen = 0;

  document.getElementById('run-id').textContent = runId;
  document.title = `SagaWorkflows · run ${runId}`;

  const graph = window.sagawfGraph.create(document.getElementById('graph'), { onOpen: openDetails });

  const compensationText = {
    Compensating: '↺ compensating', Compensated: '↺ compensated', CompensationFailed: '↺ compensation failed',
  };

  // ---- data ------------------------------------------------------------------------------------------------

  // The definition comes with the run's first event (workflow-start), which the stream always replays first;
  // GET /runs/{runId}/definition serves the same to other clients. A run started by an older orchestrator has
  // none: the graph is then drawn from the snapshot's step tree.
  function loadDefinition(definition) {
    if (definitionState === 'loaded') return;
    if (definition && typeof definition === 'object') {
      definitionState = 'loaded';
      graph.setDefinition(definition);
    } else {
      definitionState = 'missing';
    }
  }

  // One request at a time, and the page waits between them at least 250 ms and four times as long as the last one
  // took (a run of many thousand steps has a large snapshot: the bridge spends at most a fifth of its time on it).
  // Events that arrive meanwhile ask for one more, so the last snapshot is never missed.
  let fetching = false;
  let fetchAgain = false;
  let lastFetch = 0;
  let lastFetchTook = 0;
  async function refreshSnapshot() {
    if (fetching) { fetchAgain = true; return; }
    fetching = true;
    try {
      do {
        const wait = lastFetch + Math.max(250, 4 * lastFetchTook) - Date.now();
        if (wait > 0) await new Promise((resolve) => { setTimeout(resolve, wait); });
        fetchAgain = false;
        lastFetch = Date.now();
        const response = await api(base, { headers: { Accept: 'application/json' } });
        if (response.ok) {
          const next = await response.json();
          lastFetchTook = Date.now() - lastFetch;
          // Answers can cross: an older snapshot never replaces a newer one.
          if (!snapshot || next.lastSequence >= snapshot.lastSequence) snapshot = next;
          render();
        }
      } while (fetchAgain);
    } catch { /* the next event or reconnect fetches again */ } finally {
      fetching = false;
    }
  }

  let refreshTimer = null;
  function scheduleRefresh(soon = 60) {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; refreshSnapshot(); }, soon);
  }

  // ---- rendering -------------------------------------------------------------------------------------------

  function allSteps() {
    const list = [];
    const walk = (steps) => { for (const s of steps || []) { list.push(s); walk(s.children); } };
    walk(snapshot?.steps);
    return list;
  }

  function render() {
    if (!snapshot) return;
    const run = snapshot;
    document.getElementById('workflow-id').textContent = run.workflowId || '—';
    const status = document.getElementById('run-status');
    status.textContent = run.status;
    status.dataset.status = run.status;
    const compensation = document.getElementById('run-compensation');
    compensation.hidden = !run.compensation;
    compensation.textContent = compensationText[run.compensation] ?? '';
    compensation.dataset.compensation = run.compensation ?? '';
    document.getElementById('run-started').textContent = run.startedAt ? time(run.startedAt) : '—';
    document.getElementById('run-duration').textContent = run.startedAt
      ? duration(run.durationMs ?? between(run.startedAt, run.completedAt)) : '—';
    document.getElementById('run-sequence').textContent = String(run.lastSequence ?? 0);
    // A child run (started by a workflow step) links back to its parent run, at the step that started it.
    const parent = document.getElementById('run-parent');
    parent.hidden = !run.parentRunId;
    if (run.parentRunId) {
      const link = document.getElementById('run-parent-link');
      link.href = `/runs/${encodeURIComponent(run.parentRunId)}`;
      link.textContent = `${run.parentRunId} · ${run.parentPath ?? ''}`;
    }
    const runError = document.getElementById('run-error');
    runError.hidden = !run.error || run.status === 'Completed';
    runError.textContent = run.error ? error(run.error) : '';
    renderActions();

    markRejections();
    graph.setSnapshot(snapshot);
    renderSignalForms();
    renderCompensationWalk();
    if (openPath) renderDetails(openPath);
  }

  const finished = () => ended || snapshot?.completedAt != null;

  function renderActions() {
    const over = ended || ['Completed', 'Failed', 'Cancelled', 'CompensationFailed'].includes(snapshot?.status);
    const suspended = snapshot?.status === 'Suspended';
    const suspend = document.getElementById('suspend');
    const resume = document.getElementById('resume');
    suspend.hidden = suspended;
    resume.hidden = !suspended;
    suspend.disabled = over || !snapshot;
    resume.disabled = over || !snapshot;
    document.getElementById('cancel').disabled = over || !snapshot || snapshot.status === 'Compensating';
    if (over) document.getElementById('cancel-form').hidden = true;
  }

  // Rejected signals are told per signal name: shown at the wait step(s) waiting for that signal.
  function markRejections() {
    graph.clearExtra('rejected');
    const rejected = snapshot.rejectedSignals || [];
    for (const step of allSteps()) {
      if (step.type !== 'wait') continue;
      const signal = step.signal ?? graph.findStep(step.stepId)?.signal;
      const last = [...rejected].reverse().find((r) => r.signal === signal && (!step.startedAt || r.at >= step.startedAt));
      if (last && step.status === 'Waiting') graph.setExtra(step.path, { rejected: last.reason });
    }
  }

  function renderSignalForms() {
    const waiting = allSteps().filter((s) => s.type === 'wait' && s.status === 'Waiting' && !finished());
    const section = document.getElementById('waiting');
    const holder = document.getElementById('signal-forms');
    const keep = new Set(waiting.map((s) => s.path));
    for (const [path, form] of signalForms) {
      if (!keep.has(path)) { form.node.remove(); signalForms.delete(path); }
    }
    for (const step of waiting) {
      const def = graph.findStep(step.stepId) || {};
      const signal = step.signal ?? def.signal;
      if (!signal) continue;
      let form = signalForms.get(step.path);
      if (!form) {
        form = window.sagawfSignalForm.create({ signal, schema: def.schema, path: step.path, onSend: (payload) => sendSignal(signal, payload) });
        signalForms.set(step.path, form);
        holder.append(form.node);
      }
      const rejected = [...(snapshot.rejectedSignals || [])].reverse()
        .find((r) => r.signal === signal && (!step.startedAt || r.at >= step.startedAt));
      form.showRejection(rejected?.reason ?? '');
    }
    section.hidden = signalForms.size === 0;
  }

  async function sendSignal(signal, payload) {
    const before = (snapshot?.rejectedSignals || []).length;
    const response = await api(`${base}/signals/${encodeURIComponent(signal)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    if (response.status === 202) {
      // A rejection is not a lifecycle event: look at the snapshot for a little while to see one arrive.
      watchForRejection(before);
      return { ok: true, message: 'sent — waiting for the run to take it' };
    }
    const problem = await response.json().catch(() => ({}));
    return { ok: false, message: problem.detail || problem.title || `HTTP ${response.status}` };
  }

  function watchForRejection(before) {
    const deadline = Date.now() + 15000;
    const tick = async () => {
      await refreshSnapshot();
      const now = (snapshot?.rejectedSignals || []).length;
      const stillWaiting = allSteps().some((s) => s.type === 'wait' && s.status === 'Waiting');
      if (now === before && stillWaiting && Date.now() < deadline) setTimeout(tick, 400);
    };
    setTimeout(tick, 200);
  }

  function renderCompensationWalk() {
    const walk = document.getElementById('compensation-walk');
    walk.hidden = compensationWalk.length === 0;
    graph.clearExtra('compensationOrder');
    let n = 0;
    const items = compensationWalk.map((e) => {
      const failed = e.type === 'compensation-error';
      if (!failed) graph.setExtra(e.path, { compensationOrder: ++n });
      return el('li', { class: failed ? 'failed' : 'done', 'data-path': e.path ?? '' },
        el('a', { href: `#${e.path ?? ''}`, 'data-open': e.path ?? '', text: e.path ?? '(run)' }),
        ' ', el('span', { class: 'muted', text: failed ? `failed: ${error(e.data)}` : `undone at ${time(e.timestamp)}${e.data?.tool ? ` by ${e.data.tool}` : ''}` }));
    });
    document.getElementById('compensation-list').replaceChildren(...items);
    graph.refresh();
  }

  document.getElementById('compensation-list').addEventListener('click', (e) => {
    const link = e.target.closest('[data-open]');
    if (!link) return;
    e.preventDefault();
    openDetails(link.dataset.open);
  });

  // ---- details ---------------------------------------------------------------------------------------------

  function jsonBlock(label, value, cls = '') {
    if (value === undefined) return null;
    const text = JSON.stringify(value, null, 2) ?? 'null';
    const pre = el('pre', { class: `json ${cls}`, tabindex: '0', text });
    if (text.length <= largeJson) return el('div', { class: 'detail-block', 'data-block': label }, el('h3', { text: label }), pre);
    return el('div', { class: 'detail-block', 'data-block': label },
      el('details', {}, el('summary', {}, el('h3', { text: label }), el('span', { class: 'muted', text: ` ${text.length} characters — show` })), pre));
  }

  function retryLine(r) {
    const data = r.data ?? {};
    const attempt = r.attempt ?? data.attempt;
    const next = r.nextAttempt ?? data.nextAttempt ?? (attempt != null ? attempt + 1 : null);
    const delayMs = r.delayMs ?? data.delayMs ?? data.delay;
    const why = error(r.error ?? data.error ?? data);
    return el('li', { class: 'attempt-failed', 'data-attempt': String(attempt ?? '') },
      el('strong', { text: `attempt ${attempt ?? '?'} failed` }), ` at ${time(r.at)}`,
      why ? el('div', { class: 'error', text: why }) : null,
      next != null ? el('div', { class: 'muted', text: `attempt ${next} ${delayMs != null ? `after ${formatDelay(delayMs)}` : 'scheduled'}` }) : null);
  }

  function renderDetails(path) {
    const step = graph.step(path);
    const events = stepEvents.get(path) || [];
    const startEvent = [...events].reverse().find((e) => e.type === 'step-start');
    const def = graph.findStep(step?.stepId ?? path.split(/[.\]#]/).filter(Boolean).pop()) || {};
    const status = window.sagawfGraph.boxStatus(step);
    const body = document.getElementById('details-body');
    // Live updates redraw the panel: blocks the user opened stay open.
    const opened = body.dataset.path === path
      ? new Set([...body.querySelectorAll('[data-block] > details[open]')].map((d) => d.parentElement.dataset.block)) : new Set();
    document.getElementById('details-empty').hidden = true;
    body.hidden = false;
    body.dataset.path = path;
    const input = step?.input !== undefined && step?.input !== null ? step.input : startEvent?.data?.input;
    // replaceChildren would write a null as the text "null".
    body.replaceChildren(...[
      el('div', { class: 'details-head' },
        el('code', { class: 'details-path', text: path }),
        el('span', { class: 'badge state', 'data-status': status, text: status })),
      el('dl', { class: 'facts' },
        el('dt', { text: 'type' }), el('dd', { text: step?.type ?? def.type ?? '—' }),
        def.tool ? [el('dt', { text: 'tool' }), el('dd', {}, el('code', { text: def.tool }))] : null,
        def.signal ? [el('dt', { text: 'signal' }), el('dd', {}, el('code', { text: def.signal }))] : null,
        step?.childRunId ? [el('dt', { text: 'child run' }), el('dd', {},
          el('a', { class: 'child-run', href: `/runs/${encodeURIComponent(step.childRunId)}`, text: step.childRunId }))] : null,
        el('dt', { text: 'started' }), el('dd', { text: step?.startedAt ? time(step.startedAt) : '—' }),
        el('dt', { text: 'ended' }), el('dd', { text: step?.completedAt ? time(step.completedAt) : '—' }),
        el('dt', { text: 'duration' }), el('dd', { text: step?.startedAt ? duration(step.durationMs ?? between(step.startedAt, step.completedAt)) : '—' }),
        el('dt', { text: 'attempts' }), el('dd', { text: String(step?.attempts ?? 0) })),
      !step ? el('p', { class: 'muted', text: 'This step has not run (yet).' }) : null,
      startEvent || input !== undefined ? jsonBlock('Input', input ?? null, 'input') : null,
      step && step.status === 'Completed' ? jsonBlock('Output', step.output ?? null, 'output') : null,
      streams.has(path) ? el('div', { class: 'detail-block', 'data-block': 'Streaming' },
        el('h3', { text: 'Streaming' }),
        el('pre', { class: 'json stream-text', 'data-length': String(streams.get(path).text.length), text: streams.get(path).text }),
        streams.get(path).missed ? el('p', { class: 'muted', text: `${streams.get(path).missed} characters not received; the output will have them` }) : null) : null,
      step?.error ? jsonBlock('Error', step.error, 'error-json') : null,
      step?.retries?.length ? el('div', { class: 'detail-block', 'data-block': 'Attempts' },
        el('h3', { text: 'Attempts' }),
        el('ol', { class: 'attempts' }, step.retries.map(retryLine),
          el('li', { class: `attempt-last status-${status}`, text: `attempt ${step.attempts}: ${status}` }))) : null,
      step?.compensation ? el('div', { class: 'detail-block' }, el('h3', { text: 'Compensation' }),
        el('p', { text: compensationText[step.compensation] ?? step.compensation }),
        step.compensationError ? el('div', { class: 'error', text: error(step.compensationError) }) : null) : null,
      def.schema ? jsonBlock('Signal schema', def.schema) : null,
    ].filter(Boolean));
    for (const block of body.querySelectorAll('[data-block] > details')) {
      if (opened.has(block.parentElement.dataset.block)) block.open = true;
    }
  }

  function openDetails(path) {
    if (!path) return;
    openPath = path;
    document.querySelectorAll('.box.selected').forEach((b) => b.classList.remove('selected'));
    document.querySelector(`.box[data-path="${CSS.escape(path)}"]`)?.classList.add('selected');
    renderDetails(path);
    const aside = document.getElementById('details');
    aside.scrollIntoView({ block: 'nearest' });
  }

  // ---- actions ---------------------------------------------------------------------------------------------

  async function command(name, body) {
    const result = document.getElementById('action-result');
    result.textContent = `${name}: sending…`;
    const response = await api(`${base}/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    if (response.status === 202) {
      result.textContent = `${name}: sent — the run's events will show the outcome`;
      result.dataset.state = 'sent';
    } else {
      const problem = await response.json().catch(() => ({}));
      result.textContent = `${name}: ${problem.detail || problem.title || `HTTP ${response.status}`}`;
      result.dataset.state = 'error';
    }
  }

  document.getElementById('suspend').addEventListener('click', () => command('suspend'));
  document.getElementById('resume').addEventListener('click', () => command('resume'));
  const cancelForm = document.getElementById('cancel-form');
  const cancelButton = document.getElementById('cancel');
  cancelButton.addEventListener('click', () => {
    cancelForm.hidden = false;
    cancelButton.setAttribute('aria-expanded', 'true');
    cancelForm.querySelector('input').focus();
  });
  document.getElementById('cancel-back').addEventListener('click', () => {
    cancelForm.hidden = true;
    cancelButton.setAttribute('aria-expanded', 'false');
    cancelButton.focus();
  });
  cancelForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = String(new FormData(cancelForm).get('reason') || '').trim();
    cancelForm.hidden = true;
    cancelButton.setAttribute('aria-expanded', 'false');
    await command('cancel', reason ? { reason } : {});
  });

  // ---- the stream ------------------------------------------------------------------------------------------

  function logEvent(e) {
    eventsBody.append(el('tr', { class: `event type-${e.type}`, 'data-sequence': String(e.sequence) },
      el('td', { text: String(e.sequence) }),
      el('td', { text: time(e.timestamp) }),
      el('td', {}, el('span', { class: `event-type type-${e.type}`, text: e.type })),
      el('td', { text: e.path ?? '' }),
      el('td', { text: e.attempt ?? '' }),
      el('td', { class: 'detail', text: e.type.endsWith('error') || e.type === 'step-retry' ? error(e.data) : '' })));
    while (eventsBody.rows.length > maxLogRows) eventsBody.deleteRow(0);
  }

  // A delta goes where its offset says: repeats are ignored, a later attempt starts the text over, missed text is
  // counted. Progress that comes after the step ended (it travels apart from the lifecycle events) is ignored.
  function onProgress(message) {
    const p = JSON.parse(message.data);
    if (!p.path || ended) return;
    const last = (stepEvents.get(p.path) || []).at(-1);
    if (last && ['step-complete', 'step-error'].includes(last.type)) return;
    if (p.attempt <= (endedAttempts.get(p.path) ?? 0)) return;
    let s = streams.get(p.path);
    if (!s || p.attempt > s.attempt) {
      s = { attempt: p.attempt, end: 0, text: '', missed: 0 };
      streams.set(p.path, s);
    } else if (p.attempt < s.attempt) return;
    const deltaEnd = p.offset + p.delta.length;
    if (s.text && deltaEnd <= s.end) return;
    s.missed += Math.max(p.offset - s.end, 0);
    s.text += p.delta.slice(Math.max(s.end - p.offset, 0));
    s.end = deltaEnd;
    graph.setStreamText(p.path, s.text);
    if (openPath === p.path) renderDetails(p.path);
  }

  function endStream(path) {
    if (!streams.delete(path)) return;
    graph.setStreamText(path, null);
  }

  function onEvent(message) {
    const e = JSON.parse(message.data);
    if (e.sequence <= lastSequence) return; // the stream is gapless and ordered; this guards our own reconnects
    lastSequence = e.sequence;
    if (e.path && ['step-complete', 'step-error', 'step-retry'].includes(e.type)) endStream(e.path);
    if (e.path && e.type === 'step-retry') endedAttempts.set(e.path, e.data?.attempt ?? e.attempt ?? 0);
    logEvent(e);
    if (e.path) {
      const list = stepEvents.get(e.path) || [];
      list.push(e);
      stepEvents.set(e.path, list);
    }
    if (e.type === 'step-compensated' || e.type === 'compensation-error') compensationWalk.push(e);
    if (e.type === 'workflow-start') loadDefinition(e.data?.definition);
    scheduleRefresh();
  }

  function connect() {
    // On its own reconnects EventSource sends Last-Event-ID; after= covers the ones we make ourselves.
    const source = new EventSource(window.sagawf.streamUrl(`${base}/events${lastSequence ? `?after=${lastSequence}` : ''}`));
    source.onopen = () => setConnection('live', 'live');
    for (const type of eventTypes) source.addEventListener(type, onEvent);
    source.addEventListener('step-progress', onProgress);
    source.addEventListener('end', () => {
      source.close();
      ended = true;
      setConnection('ended', 'run ended');
      scheduleRefresh(0);
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // The stream refused (404: the run has not been seen yet, 503: too many streams): try again shortly.
        setConnection('offline', lastSequence ? 'disconnected — retrying' : 'run not found yet — retrying');
        window.sagawf.checkAccess().then((ok) => {
          if (!ok) setConnection('offline', 'API key needed — reload to enter it');
          setTimeout(connect, 3000);
        });
      } else {
        setConnection('connecting', 'reconnecting…');
      }
    };
  }

  // Running steps show a ticking duration.
  setInterval(() => { if (snapshot && !finished()) graph.refresh(); }, 1000);
  // The snapshot is fetched when the stream says something happened (its history included), so a run the bridge
  // has not heard of yet is simply waited for.
  graph.setSnapshot(null);
  connect();
})();
