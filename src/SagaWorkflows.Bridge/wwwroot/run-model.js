// Folds a run's lifecycle events into its status and step tree: the same rules as the bridge's
// RunSnapshotBuilder / StepTree / StepPath, applied to the live stream in the browser.
window.sagawfRunModel = (() => {
  const iterationSuffix = /(\[\d+\]|#\d+)$/;

  function iterationStart(path) {
    const match = iterationSuffix.exec(path);
    return match && match.index > 0 ? match.index : -1;
  }

  // perItem[3].charge -> perItem[3] -> perItem ; poll#2.check -> poll#2 -> poll ; ship.makeLabel -> ship
  function parent(path) {
    const suffix = iterationStart(path);
    if (suffix > 0) return path.slice(0, suffix);
    const dot = path.lastIndexOf('.');
    return dot > 0 ? path.slice(0, dot) : null;
  }

  function label(path) {
    const suffix = iterationStart(path);
    if (suffix > 0) return path.slice(suffix);
    return path.slice(path.lastIndexOf('.') + 1);
  }

  function iterationIndex(path) {
    const suffix = iterationStart(path);
    return suffix > 0 ? Number(path.slice(suffix).replace(/[\[\]#]/g, '')) : null;
  }

  function nextRunStatus(current, type) {
    switch (type) {
      case 'workflow-start': return 'Running';
      case 'workflow-suspended': return 'Suspended';
      case 'workflow-resumed': return 'Running';
      case 'compensation-start': return 'Compensating';
      case 'compensation-error': return 'CompensationFailed';
      case 'workflow-complete': return 'Completed';
      case 'workflow-error': return current === 'CompensationFailed' ? current : 'Failed';
      case 'workflow-cancelled': return current === 'CompensationFailed' ? current : 'Cancelled';
      default: return current;
    }
  }

  function create() {
    const run = {
      status: 'Pending', workflowId: '', startedAt: null, completedAt: null, compensation: null,
      error: null, output: null, lastSequence: 0, ended: false,
    };
    const nodes = new Map();
    const roots = [];
    const order = [];

    function node(path) {
      let found = nodes.get(path);
      if (found) return found;
      found = {
        path, label: label(path), kind: iterationStart(path) > 0 ? 'iteration' : 'step', seen: order.length,
        stepId: null, type: null, status: 'Pending', attempts: 0, startedAt: null, completedAt: null,
        error: null, output: null, retries: [], compensation: null, compensationError: null, children: [],
      };
      order.push(found);
      nodes.set(path, found);
      const up = parent(path);
      (up == null ? roots : node(up).children).push(found);
      return found;
    }

    function applyStep(e) {
      const n = node(e.path);
      n.stepId = n.stepId ?? e.stepId ?? null;
      n.type = e.stepType ?? n.type;
      if (e.attempt != null) n.attempts = Math.max(n.attempts, e.attempt);
      switch (e.type) {
        case 'step-start':
          n.status = 'Running'; n.startedAt = n.startedAt ?? e.timestamp; n.attempts = Math.max(n.attempts, 1); break;
        case 'step-retry':
          n.status = 'Retrying'; n.startedAt = n.startedAt ?? e.timestamp; n.error = e.data ?? null;
          n.retries.push({ attempt: e.attempt ?? null, at: e.timestamp, data: e.data ?? null }); break;
        case 'step-error':
          n.status = 'Failed'; n.startedAt = n.startedAt ?? e.timestamp; n.completedAt = e.timestamp; n.error = e.data ?? null; break;
        case 'step-complete':
          n.status = 'Completed'; n.startedAt = n.startedAt ?? e.timestamp; n.completedAt = e.timestamp;
          n.output = e.data ?? null; n.error = null; break;
        case 'step-suspended':
          n.status = 'Waiting'; n.startedAt = n.startedAt ?? e.timestamp; break;
        case 'compensation-start': n.compensation = 'Compensating'; break;
        case 'step-compensated': n.compensation = 'Compensated'; break;
        case 'compensation-error': n.compensation = 'CompensationFailed'; n.compensationError = e.data ?? null; break;
        default: break;
      }
    }

    // Returns false for an event already applied (a replay after reconnecting).
    function apply(e) {
      if (e.sequence <= run.lastSequence) return false;
      run.lastSequence = e.sequence;
      if (e.workflowId) run.workflowId = e.workflowId;
      run.status = nextRunStatus(run.status, e.type);
      switch (e.type) {
        case 'workflow-start': run.startedAt = run.startedAt ?? e.timestamp; break;
        case 'workflow-complete': run.completedAt = e.timestamp; run.output = e.data ?? null; break;
        case 'workflow-error':
        case 'workflow-cancelled': run.completedAt = e.timestamp; run.error = run.error ?? e.data ?? null; break;
        case 'step-error': run.error = e.data ?? null; break;
        case 'compensation-start': run.compensation = 'Compensating'; break;
        case 'compensation-complete': run.compensation = 'Compensated'; break;
        case 'compensation-error': run.compensation = 'CompensationFailed'; run.error = e.data ?? run.error; break;
        default: break;
      }
      if (e.path) applyStep(e);
      return true;
    }

    function aggregate(children) {
      const statuses = children.map((c) => c.status);
      if (statuses.length === 0) return 'Pending';
      if (statuses.includes('Failed')) return 'Failed';
      if (statuses.every((s) => s === 'Completed')) return 'Completed';
      if (statuses.every((s) => s === 'Pending')) return 'Pending';
      if (statuses.includes('Retrying')) return 'Retrying';
      return statuses.includes('Waiting') && !statuses.includes('Running') ? 'Waiting' : 'Running';
    }

    // Iterations are derived from their steps; siblings that are iterations sort by index.
    function view(list) {
      const sorted = [...list].sort((a, b) =>
        (iterationIndex(a.path) ?? -Infinity) - (iterationIndex(b.path) ?? -Infinity) || a.seen - b.seen);
      return sorted.map((n) => {
        const children = view(n.children);
        if (n.kind !== 'iteration') return { ...n, children };
        const starts = children.map((c) => c.startedAt).filter(Boolean).sort();
        const status = aggregate(children);
        const ends = children.map((c) => c.completedAt).filter(Boolean).sort();
        return {
          ...n, children, status, startedAt: starts[0] ?? null,
          completedAt: status === 'Completed' || status === 'Failed' ? ends[ends.length - 1] ?? null : null,
        };
      });
    }

    return { run, apply, steps: () => view(roots) };
  }

  return { create, parent, label };
})();
