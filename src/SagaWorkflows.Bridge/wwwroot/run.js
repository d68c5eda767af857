// The run page: follows the run's events over EventSource and draws the bridge's snapshot of the run
// (GET /runs/{runId}, folded by the one RunProjection). It never folds events itself, so the page, the
// API and the CLI cannot disagree about a run.
(() => {
  const { el, time, duration, delay: formatDelay, between, error, setConnection, eventTypes, api } = window.sagawf;
  const runId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  const eventsBody = document.getElementById('events');
  const maxLogRows = 500;
  let snapshot = null;
  let lastSequence = 0; // the stream's position: for the event log and for resuming it
  let streamEnded = false;
  let source = null;
  let renderQueued = false;
  let fetching = false;
  let stale = false;
  let lastFetch = 0;
  let lastFetchTook = 0;

  document.getElementById('run-id').textContent = runId;
  document.title = `SagaWorkflows · run ${runId}`;

  const compensationText = {
    Compensating: '↺ compensating', Compensated: '↺ compensated', CompensationFailed: '↺ compensation failed',
  };

  const ended = () => streamEnded || (snapshot?.outcome ?? null) !== null;

  // One request at a time, and the page waits between them at least 250 ms and four times as long as the last one
  // took (a run of many thousand steps has a large snapshot: the bridge spends at most a fifth of its time on it).
  // Events that arrive meanwhile ask for one more, so the last snapshot is never missed.
  async function refresh() {
    if (fetching) { stale = true; return; }
    fetching = true;
    try {
      do {
        const wait = lastFetch + Math.max(250, 4 * lastFetchTook) - Date.now();
        if (wait > 0) await new Promise((resolve) => { setTimeout(resolve, wait); });
        stale = false;
        lastFetch = Date.now();
        const response = await api(`/runs/${encodeURIComponent(runId)}`, { headers: { Accept: 'application/json' } });
        if (response.ok) {
          const next = await response.json();
          lastFetchTook = Date.now() - lastFetch;
          if (!snapshot || next.lastSequence >= snapshot.lastSequence) snapshot = next;
          queueRender();
        }
      } while (stale);
    } catch {
      // The next event, or the reconnect after a lost stream, asks again.
    } finally {
      fetching = false;
    }
  }

  function retryText(retry) {
    const next = retry.nextAttempt ?? (retry.attempt != null ? retry.attempt + 1 : null);
    const parts = [`retry after attempt ${retry.attempt ?? '?'}`];
    if (next != null) parts.push(`→ attempt ${next}`);
    if (retry.delayMs != null) parts.push(`in ${formatDelay(retry.delayMs)}`);
    const why = error(retry.error ?? retry.data);
    return `${parts.join(' ')} · ${time(retry.at)}${why ? ` · ${why}` : ''}`;
  }

  function stepItem(step) {
    const live = step.status === 'Running' || step.status === 'Retrying' || step.status === 'Waiting';
    const elapsed = between(step.startedAt, step.completedAt ?? (live && !ended() ? null : step.startedAt));
    return el('li', {
      class: `node ${step.kind}`, 'data-path': step.path, 'data-kind': step.kind, 'data-status': step.status,
      'data-attempts': String(step.attempts), 'data-compensation': step.compensation, 'data-type': step.type,
      'data-iteration': step.iteration != null ? String(step.iteration) : null,
    },
    el('div', { class: 'row' },
      el('span', { class: 'badge status', 'data-status': step.status, text: step.status }),
      el('span', { class: 'label', text: step.label, title: step.path }),
      step.type && el('span', { class: 'type', text: step.type }),
      step.attempts > 1 && el('span', { class: 'attempts', text: `attempt ${step.attempts}` }),
      step.startedAt && el('span', { class: 'timing', text: `${time(step.startedAt)} · ${duration(elapsed)}` }),
      step.compensation && el('span', {
        class: 'badge compensation', 'data-compensation': step.compensation, text: compensationText[step.compensation],
      })),
    step.retries.length > 0 && el('ul', { class: 'retries' },
      step.retries.map((r) => el('li', { class: 'retry', text: retryText(r) }))),
    step.error && step.status === 'Failed' && el('div', { class: 'error', text: error(step.error) }),
    step.compensationError && el('div', { class: 'error', text: `compensation: ${error(step.compensationError)}` }),
    step.children.length > 0 && el('ul', { class: 'tree' }, step.children.map(stepItem)));
  }

  function render() {
    renderQueued = false;
    const run = snapshot ?? { status: 'Pending', steps: [], lastSequence: 0 };
    document.getElementById('workflow-id').textContent = run.workflowId || '—';
    const status = document.getElementById('run-status');
    status.textContent = run.status;
    status.dataset.status = run.status;
    const compensation = document.getElementById('run-compensation');
    compensation.hidden = !run.compensation;
    compensation.textContent = compensationText[run.compensation] ?? '';
    compensation.dataset.compensation = run.compensation ?? '';
    document.getElementById('run-started').textContent = run.startedAt ? time(run.startedAt) : '—';
    document.getElementById('run-duration').textContent =
      run.startedAt ? duration(between(run.startedAt, run.completedAt ?? (ended() ? run.startedAt : null))) : '—';
    document.getElementById('run-sequence').textContent = String(run.lastSequence);
    const runError = document.getElementById('run-error');
    runError.hidden = !run.error || run.status === 'Completed';
    runError.textContent = run.error ? error(run.error) : '';

    document.getElementById('steps-empty').hidden = run.steps.length > 0;
    document.getElementById('steps').replaceChildren(...run.steps.map(stepItem));
  }

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(render);
  }

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

  function onEvent(message) {
    const e = JSON.parse(message.data);
    // The stream is in sequence order; a replay after reconnecting repeats what was logged already.
    if (e.sequence <= lastSequence) return;
    lastSequence = e.sequence;
    logEvent(e);
    refresh();
  }

  function connect() {
    // On its own reconnects EventSource sends Last-Event-ID; after= covers the ones we make ourselves.
    const after = lastSequence;
    source = new EventSource(window.sagawf.streamUrl(`/runs/${encodeURIComponent(runId)}/events${after ? `?after=${after}` : ''}`));
    source.onopen = () => setConnection('live', 'live');
    for (const type of eventTypes) source.addEventListener(type, onEvent);
    source.addEventListener('end', () => {
      source.close();
      streamEnded = true;
      setConnection('ended', 'run ended');
      refresh();
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
  setInterval(() => { if (!ended() && snapshot?.startedAt) queueRender(); }, 1000);
  render();
  refresh();
  connect();
})();
