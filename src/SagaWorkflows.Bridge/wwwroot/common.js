// Formatting shared by the runs list and the run page.
window.sagawf = (() => {
  const pad = (n, w = 2) => String(n).padStart(w, '0');

  function time(value) {
    if (!value) return '—';
    const d = new Date(value);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }

  function dateTime(value) {
    if (!value) return '—';
    const d = new Date(value);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time(value)}`;
  }

  function duration(ms) {
    if (ms == null || Number.isNaN(ms)) return '—';
    if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(2)} s`;
    if (ms < 3600000) return `${Math.floor(ms / 60000)} min ${Math.floor((ms % 60000) / 1000)} s`;
    return `${Math.floor(ms / 3600000)} h ${Math.floor((ms % 3600000) / 60000)} min`;
  }

  // Delays arrive as ISO 8601 (PT1.5S), .NET TimeSpan text (00:00:01.5) or milliseconds.
  function delay(value) {
    if (typeof value === 'number') return duration(value);
    const iso = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(value ?? '');
    if (iso) return duration(((+(iso[1] ?? 0) * 60 + +(iso[2] ?? 0)) * 60 + +(iso[3] ?? 0)) * 1000);
    const span = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value ?? '');
    if (span) return duration(((+span[1] * 60 + +span[2]) * 60 + +span[3]) * 1000);
    return String(value);
  }

  function between(from, to) {
    if (!from) return null;
    return (to ? new Date(to) : new Date()) - new Date(from);
  }

  // Errors come from tools and the orchestrator in a few shapes; show type and message when present.
  function error(data) {
    if (data == null) return '';
    if (typeof data === 'string') return data;
    const inner = typeof data.error === 'object' && data.error !== null ? data.error : data;
    const type = inner.errorType ?? inner.type ?? inner.code;
    const message = inner.message ?? (typeof data.error === 'string' ? data.error : null) ?? data.reason;
    if (type || message) return [type, message].filter(Boolean).join(': ');
    return JSON.stringify(data);
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function setConnection(state, text) {
    const node = document.getElementById('connection');
    node.dataset.state = state;
    node.textContent = text;
  }

  // Every lifecycle event type; EventSource only dispatches named events to listeners for that name.
  const eventTypes = [
    'workflow-start', 'step-start', 'step-complete', 'step-error', 'step-retry', 'step-suspended',
    'workflow-suspended', 'workflow-resumed', 'compensation-start', 'step-compensated',
    'compensation-complete', 'compensation-error', 'workflow-complete', 'workflow-error', 'workflow-cancelled', 'workflow-redriven',
  ];

  // A bridge with API keys: the key is entered once and kept in this browser (localStorage), then sent as
  // 'Authorization: Bearer <key>'. EventSource cannot send headers, so streams carry it as ?access_token=.
  const keyName = 'sagawf-api-key';

  function apiKey() {
    try { return localStorage.getItem(keyName) || ''; } catch { return ''; }
  }

  function askForKey() {
    const key = window.prompt('This bridge needs an API key (one of SagaWorkflows__Bridge__ApiKeys__N):', apiKey());
    if (key === null) return false;
    try { localStorage.setItem(keyName, key.trim()); } catch { /* private mode: asked again next time */ }
    return true;
  }

  // fetch with the kept key; a 401 asks for a key once and tries again.
  async function api(url, options = {}) {
    for (let attempt = 0; ; attempt++) {
      const headers = { ...(options.headers || {}) };
      const key = apiKey();
      if (key) headers.Authorization = `Bearer ${key}`;
      const response = await fetch(url, { ...options, headers });
      if (response.status !== 401 || attempt > 0 || !askForKey()) return response;
    }
  }

  function streamUrl(path) {
    const key = apiKey();
    return key ? `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(key)}` : path;
  }

  // EventSource hides why a stream was refused: ask the API whether a key is what is missing (and ask for it).
  async function checkAccess() {
    try {
      const response = await api('/runs?limit=1', { headers: { Accept: 'application/json' } });
      return response.status !== 401;
    } catch { return true; }
  }

  return { time, dateTime, duration, delay, between, error, el, setConnection, eventTypes, api, streamUrl, checkAccess };
})();
