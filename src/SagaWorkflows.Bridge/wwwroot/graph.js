// Draws a run as a graph: the run's definition (GET /runs/{runId}/definition) laid out as boxes, each box
// showing what the bridge's snapshot (GET /runs/{runId}) says of the step at that path. This file folds no
// events: statuses, attempts and timings all come from the snapshot.
//
// Sequences run top to bottom; parallel branches and branch cases side by side under their names; foreach and
// loop are containers with their iterations (counts, a strip of iteration chips and the one being viewed).
// Every step box carries data-path (its execution path) and data-status.
window.sagawfGraph = (() => {
  const { el, duration, between } = window.sagawf;

  // The snapshot's statuses, as one lower-case word per box: pending, running, retrying, waiting, completed,
  // failed, stopped; compensation overrides a completed step's: compensating, compensated, compensation-failed.
  // Steps of a branch case that was not taken are skipped.
  function boxStatus(step) {
    if (!step) return 'pending';
    if (step.compensation === 'CompensationFailed') return 'compensation-failed';
    if (step.compensation === 'Compensated') return 'compensated';
    if (step.compensation === 'Compensating') return 'compensating';
    return String(step.status || 'Pending').toLowerCase();
  }

  const statusText = {
    pending: 'pending', running: 'running', retrying: 'retrying', waiting: 'waiting', completed: 'completed',
    failed: 'failed', stopped: 'stopped', compensating: 'compensating', compensated: '↺ compensated',
    'compensation-failed': '↺ compensation failed', skipped: 'not taken',
  };

  const typeIcon = {
    // Characters the usual system fonts (DejaVu, Segoe UI, SF) all have.
    tool: '⚙', ai: '✦', parallel: '⇉', foreach: '↻', loop: '↺', branch: '◇', wait: '‖', sleep: '◷', workflow: '⧉',
  };

  const maxChips = 300;

  // Every snapshot step by path, with the iterations of each container.
  function index(snapshot) {
    const byPath = new Map();
    const walk = (steps) => {
      for (const s of steps || []) {
        byPath.set(s.path, s);
        walk(s.children);
      }
    };
    walk(snapshot?.steps);
    return byPath;
  }

  function iterationsOf(byPath, path) {
    const step = byPath.get(path);
    return (step?.children || []).filter((c) => c.kind === 'iteration')
      .map((c) => ({ ...c, number: c.iteration ?? Number(c.label.replace(/[\[\]#]/g, '')) }))
      .sort((a, b) => a.number - b.number);
  }

  function summary(step) {
    switch (step.type) {
      case 'tool': return step.tool;
      case 'ai': return `model ${step.model}`;
      case 'foreach': return `for each of ${step.items}${step.concurrency > 1 ? ` · ${step.concurrency} at once` : ''}`;
      case 'loop': return step.until ? `until ${step.until}` : `while ${step.while}`;
      case 'wait': return `waits for signal “${step.signal}”${step.timeout ? ` · timeout ${step.timeout}` : ''}`;
      case 'sleep': return `sleeps ${step.duration}`;
      case 'parallel': return `${Object.keys(step.branches || {}).length} branches at once`;
      case 'branch': return `first case that holds, else default`;
      case 'workflow': return `child run of ${step.workflowId ?? step.definition?.id ?? 'a workflow'}`;
      default: return '';
    }
  }

  function create(container, { onOpen }) {
    let definition = null;
    let snapshot = null;
    let byPath = new Map();
    const selected = new Map(); // container path -> iteration number viewed
    const extra = new Map(); // path -> { rejected: text }

    // ---- building the DOM from the definition -------------------------------------------------------------

    function box(step, path) {
      const node = el('div', {
        class: `box type-${step.type}`, 'data-path': path, 'data-step-id': step.id, 'data-type': step.type,
        'data-status': 'pending', tabindex: '0', role: 'button', 'aria-haspopup': 'dialog',
      },
      el('div', { class: 'box-head' },
        el('span', { class: 'icon', 'aria-hidden': 'true', text: typeIcon[step.type] || '•' }),
        el('span', { class: 'name', text: step.id }),
        el('span', { class: 'state' })),
      el('div', { class: 'box-meta' },
        el('span', { class: 'what', text: summary(step) }),
        el('span', { class: 'attempt' }),
        el('span', { class: 'timing' })),
      el('div', { class: 'box-note', hidden: true }),
      el('div', { class: 'box-stream', hidden: true, 'aria-live': 'polite' }),
      step.type === 'workflow' ? el('a', { class: 'child-run', hidden: true, text: 'open child run →' }) : null);
      return node;
    }

    function sequence(steps, prefix) {
      return el('ol', { class: 'seq' }, (steps || []).map((s) => el('li', { class: 'seq-item' }, node(s, prefix + s.id))));
    }

    function lane(name, steps, prefix, attrs = {}) {
      return el('section', { class: 'lane', ...attrs },
        el('h4', { class: 'lane-name', text: name }),
        steps && steps.length ? sequence(steps, prefix) : el('p', { class: 'lane-empty muted', text: 'no steps' }));
    }

    function node(step, path) {
      const head = box(step, path);
      switch (step.type) {
        case 'parallel':
          return el('div', { class: 'group parallel', 'data-group': path }, head,
            el('div', { class: 'lanes' }, Object.entries(step.branches || {}).map(([name, steps]) =>
              lane(name, steps, `${path}.`, { 'data-branch': name }))));
        case 'branch': {
          const cases = (step.cases || []).map((c, i) =>
            lane(`when ${c.when}`, c.steps, `${path}.`, { 'data-case': String(i) }));
          cases.push(lane('default', step.default || [], `${path}.`, { 'data-case': 'default' }));
          return el('div', { class: 'group branch', 'data-group': path }, head, el('div', { class: 'lanes' }, cases));
        }
        case 'foreach':
        case 'loop':
          return el('div', { class: `group iterations ${step.type}`, 'data-group': path }, head,
            el('div', { class: 'iteration-bar' },
              el('span', { class: 'counts', 'aria-live': 'polite' }),
              el('label', { class: 'viewing' }, 'viewing ',
                el('select', { class: 'iteration-select', 'aria-label': `iteration of ${step.id} to view` }))),
            el('div', { class: 'chips', role: 'group', 'aria-label': `iterations of ${step.id}` }),
            el('div', { class: 'iteration-body', 'data-body-of': path }));
        default:
          return head;
      }
    }

    function definitionSteps() {
      return definition?.steps || fallbackSteps(snapshot?.steps || []);
    }

    // Without a definition (a run started by an older orchestrator), the snapshot's tree is drawn as it is.
    function fallbackSteps(steps) {
      return steps.filter((s) => s.kind !== 'iteration').map((s) => {
        const step = { id: s.stepId || s.label, type: s.type || 'tool' };
        const iterations = (s.children || []).filter((c) => c.kind === 'iteration');
        if (iterations.length) {
          step.type = s.type === 'loop' || iterations[0].label.startsWith('#') ? 'loop' : 'foreach';
          step.steps = fallbackSteps(iterations.flatMap((i) => i.children || [])
            .filter((c, i, all) => all.findIndex((o) => o.stepId === c.stepId) === i));
        } else if ((s.children || []).length) {
          step.type = 'parallel';
          step.branches = Object.fromEntries(fallbackSteps(s.children).map((c) => [c.id, [c]]));
        }
        return step;
      });
    }

    function build() {
      const focused = document.activeElement?.closest?.('[data-path]')?.dataset.path;
      container.replaceChildren(sequence(definitionSteps(), ''));
      update();
      if (focused) container.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
    }

    // ---- applying a snapshot --------------------------------------------------------------------------------

    function findStep(steps, id) {
      for (const s of steps || []) {
        if (s.id === id) return s;
        const found = findStep(childSteps(s), id);
        if (found) return found;
      }
      return null;
    }

    function childSteps(s) {
      return [
        ...(s.steps || []), ...(s.default || []),
        ...Object.values(s.branches || {}).flat(), ...(s.cases || []).flatMap((c) => c.steps || []),
      ];
    }

    function updateBox(boxNode) {
      const path = boxNode.dataset.path;
      const step = byPath.get(path);
      const skipped = boxNode.closest('.lane.not-taken') != null;
      const status = skipped ? 'skipped' : boxStatus(step);
      boxNode.dataset.status = status;
      boxNode.dataset.attempts = String(step?.attempts ?? 0);
      if (step?.compensation) boxNode.dataset.compensation = step.compensation;
      const state = boxNode.querySelector('.state');
      state.textContent = statusText[status] ?? status;
      const attempt = boxNode.querySelector('.attempt');
      attempt.textContent = step && step.attempts > 1 ? `attempt ${step.attempts}` : '';
      const live = step && ['Running', 'Retrying', 'Waiting'].includes(step.status) && !snapshot?.completedAt;
      const ms = step?.durationMs ?? (live ? between(step.startedAt, null) : null);
      boxNode.querySelector('.timing').textContent = step?.startedAt ? duration(ms) : '';
      const childLink = boxNode.querySelector(':scope > .child-run');
      if (childLink) {
        childLink.hidden = !step?.childRunId;
        if (step?.childRunId) childLink.href = `/runs/${encodeURIComponent(step.childRunId)}`;
      }
      const note = boxNode.querySelector('.box-note');
      const rejected = extra.get(path)?.rejected;
      const order = extra.get(path)?.compensationOrder;
      const text = rejected ? `signal rejected: ${rejected}` : order ? `↺ undone ${ordinal(order)}` : '';
      note.hidden = !text;
      note.textContent = text;
      note.classList.toggle('rejected', Boolean(rejected));
      updateStream(boxNode, status);
      boxNode.setAttribute('aria-label', `${boxNode.dataset.stepId}, ${boxNode.dataset.type} step, ${statusText[status] ?? status}`
        + `${step && step.attempts > 1 ? `, attempt ${step.attempts}` : ''}${text ? `, ${text}` : ''}`);
    }

    // A streamed ai step's text so far (run.js keeps it from step-progress), while the step has not ended: the tail
    // that fits, with data-length the whole text's length.
    const maxStreamShown = 240;
    function updateStream(boxNode, status) {
      const stream = boxNode.querySelector('.box-stream');
      if (!stream) return;
      const text = extra.get(boxNode.dataset.path)?.stream;
      const show = typeof text === 'string' && text.length > 0 && !['completed', 'failed', 'stopped', 'skipped'].includes(status);
      stream.hidden = !show;
      stream.dataset.length = show ? String(text.length) : '0';
      stream.textContent = !show ? '' : text.length > maxStreamShown ? `…${text.slice(-maxStreamShown)}` : text;
    }

    function ordinal(n) {
      return `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;
    }

    function updateBranch(group) {
      const path = group.dataset.group;
      const stepDef = group.querySelector(':scope > .box');
      const step = byPath.get(path);
      const branchDef = findStep(definitionSteps(), stepDef.dataset.stepId);
      const lanes = [...group.querySelectorAll(':scope > .lanes > .lane')];
      let taken = null;
      if (step && branchDef) {
        const ran = new Set((step.children || []).map((c) => c.stepId));
        const cases = [...(branchDef.cases || []).map((c) => c.steps || []), branchDef.default || []];
        taken = cases.findIndex((steps) => steps.some((s) => ran.has(s.id)));
        if (taken < 0 && step.status === 'Completed') taken = cases.findIndex((steps) => steps.length === 0);
        if (taken < 0) taken = null;
      }
      lanes.forEach((laneNode, i) => {
        laneNode.classList.toggle('taken', taken === i);
        laneNode.classList.toggle('not-taken', taken != null && taken !== i);
        laneNode.dataset.taken = taken == null ? 'unknown' : String(taken === i);
      });
    }

    function updateIterations(group) {
      const path = group.dataset.group;
      const head = group.querySelector(':scope > .box');
      const stepDef = findStep(definitionSteps(), head.dataset.stepId);
      const loop = head.dataset.type === 'loop';
      const iterations = iterationsOf(byPath, path);
      const count = (s) => iterations.filter((i) => s.includes(i.status)).length;
      const done = count(['Completed']);
      const running = count(['Running', 'Retrying', 'Waiting']);
      const failed = count(['Failed', 'Stopped']);
      group.dataset.iterations = String(iterations.length);
      group.dataset.done = String(done);
      group.dataset.running = String(running);
      group.dataset.failed = String(failed);
      group.querySelector('.counts').textContent =
        `${iterations.length} ${iterations.length === 1 ? 'iteration' : 'iterations'}: ${done} done · ${running} running · ${failed} failed`;

      // The chips: one per iteration seen (added as they appear), coloured by status; a click views it.
      // Past maxChips (a foreach over many items), only the iterations that are not completed get one.
      const chips = group.querySelector(':scope > .chips');
      const existing = new Map([...chips.children].map((c) => [c.dataset.path, c]));
      const many = iterations.length > maxChips;
      const shown = many ? iterations.filter((i) => i.status !== 'Completed').slice(0, maxChips) : iterations;
      if (many) {
        const keep = new Set(shown.map((i) => i.path));
        for (const [p, chip] of existing) if (!keep.has(p)) { chip.remove(); existing.delete(p); }
      }
      chips.dataset.all = String(!many);
      for (const it of shown) {
        let chip = existing.get(it.path);
        if (!chip) {
          chip = el('button', {
            type: 'button', class: 'chip', 'data-path': it.path, 'data-kind': 'iteration', 'data-iteration': String(it.number),
            text: String(it.number),
          });
          chip.addEventListener('click', () => select(path, it.number));
          chips.append(chip);
        }
        chip.dataset.status = boxStatus(it);
        chip.setAttribute('aria-label', `${loop ? 'iteration' : 'item'} ${it.number}: ${statusText[boxStatus(it)]}`);
        chip.setAttribute('aria-pressed', String(selectedOf(path, iterations) === it.number));
      }

      // The selector, and the body drawn for the iteration viewed.
      const chosen = selectedOf(path, iterations);
      const select_ = group.querySelector('.iteration-select');
      if (select_.options.length !== iterations.length) {
        select_.replaceChildren(...iterations.map((it) => el('option', { value: String(it.number), text: `${loop ? '#' : '['}${it.number}${loop ? '' : ']'}` })));
        select_.onchange = () => select(path, Number(select_.value));
      }
      if (chosen != null) select_.value = String(chosen);
      select_.disabled = iterations.length === 0;
      const body = group.querySelector(':scope > .iteration-body');
      const prefix = chosen == null ? null : loop ? `${path}#${chosen}.` : `${path}[${chosen}].`;
      if (body.dataset.prefix !== (prefix ?? '')) {
        body.dataset.prefix = prefix ?? '';
        body.replaceChildren(...(prefix == null
          ? [el('p', { class: 'muted lane-empty', text: 'no iteration has started yet' })]
          : [el('p', { class: 'iteration-caption', text: loop ? `iteration #${chosen}` : `item [${chosen}]` }),
            sequence(stepDef?.steps || [], prefix)]));
      }
    }

    function selectedOf(path, iterations) {
      if (iterations.length === 0) return null;
      const chosen = selected.get(path);
      if (chosen != null && iterations.some((i) => i.number === chosen)) return chosen;
      // By default: the first failed iteration, else the latest running one, else the last.
      const failed = iterations.find((i) => i.status === 'Failed');
      const running = [...iterations].reverse().find((i) => ['Running', 'Retrying', 'Waiting'].includes(i.status));
      return (failed ?? running ?? iterations[iterations.length - 1]).number;
    }

    function select(path, number) {
      selected.set(path, number);
      update();
    }

    function update() {
      byPath = index(snapshot);
      // Outer containers first: a body drawn for an iteration brings boxes and containers of its own.
      for (let pass = 0; pass < 8; pass++) {
        const groups = [...container.querySelectorAll('.group.iterations')];
        const before = container.querySelectorAll('[data-path]').length;
        groups.forEach(updateIterations);
        if (container.querySelectorAll('[data-path]').length === before) break;
      }
      container.querySelectorAll('.group.branch').forEach(updateBranch);
      container.querySelectorAll('.box[data-path]').forEach(updateBox);
    }

    // ---- keyboard and clicks --------------------------------------------------------------------------------

    container.addEventListener('click', (e) => {
      const target = e.target.closest('.box[data-path]');
      if (target) onOpen(target.dataset.path);
    });
    container.addEventListener('keydown', (e) => {
      const target = e.target.closest('.box[data-path]');
      if (!target) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onOpen(target.dataset.path);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const boxes = [...container.querySelectorAll('.box[data-path]')];
        const next = boxes[boxes.indexOf(target) + (e.key === 'ArrowDown' ? 1 : -1)];
        if (next) {
          e.preventDefault();
          next.focus();
        }
      }
    });

    return {
      setDefinition(value) { definition = value; build(); },
      setSnapshot(value) {
        const hadSteps = Boolean(snapshot?.steps?.length);
        snapshot = value;
        if (!definition && !hadSteps && snapshot?.steps?.length) build();
        else if (!definition) build();
        else update();
      },
      setExtra(path, value) { extra.set(path, { ...(extra.get(path) || {}), ...value }); },
      // Redraws only that box: progress comes many times a second and needs no snapshot.
      setStreamText(path, text) {
        extra.set(path, { ...(extra.get(path) || {}), stream: text });
        const boxNode = container.querySelector(`.box[data-path="${CSS.escape(path)}"]`);
        if (boxNode) updateStream(boxNode, boxNode.dataset.status);
      },
      clearExtra(key) { for (const v of extra.values()) delete v[key]; },
      findStep: (id) => findStep(definitionSteps(), id),
      step: (path) => byPath.get(path),
      select,
      refresh: update,
      boxStatus,
    };
  }

  return { create, boxStatus };
})();
