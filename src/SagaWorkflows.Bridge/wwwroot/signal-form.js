// A form for a wait step's signal, built from the wait's JSON Schema: string, number, integer, boolean, enum
// and object fields; anything else (or no schema) is a JSON textarea. "Edit as JSON" is always there, for
// payloads the fields cannot express.
window.sagawfSignalForm = (() => {
  const { el } = window.sagawf;
  let counter = 0;

  function typeOf(schema) {
    if (!schema || typeof schema !== 'object') return null;
    if (Array.isArray(schema.enum)) return 'enum';
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    if (type === 'object' && schema.properties && typeof schema.properties === 'object') return 'object';
    return ['string', 'number', 'integer', 'boolean'].includes(type) ? type : null;
  }

  // A field for one schema: { node, read() } where read() returns { value } or { omit: true }, or throws a message.
  function field(schema, name, label, required) {
    const id = `sf-${++counter}`;
    const kind = typeOf(schema);
    const hint = schema?.description ? el('span', { class: 'field-hint muted', text: schema.description }) : null;
    const caption = el('span', {}, label, required ? el('span', { class: 'required', 'aria-hidden': 'true', text: ' *' }) : null);
    switch (kind) {
      case 'object': {
        const needed = new Set(Array.isArray(schema.required) ? schema.required : []);
        const children = Object.entries(schema.properties).map(([key, sub]) =>
          ({ key, ...field(sub, `${name}.${key}`, sub?.title || key, needed.has(key)) }));
        const node = el('fieldset', { class: 'signal-fields', 'data-field': name },
          label ? el('legend', { text: label }) : null, hint, children.map((c) => c.node));
        return {
          node,
          read() {
            const value = {};
            for (const c of children) {
              const r = c.read();
              if (!r.omit) value[c.key] = r.value;
            }
            return { value };
          },
        };
      }
      case 'enum': {
        const select = el('select', { id, name, 'data-field': name, required: required ? 'required' : null },
          required ? null : el('option', { value: '', text: '—' }),
          schema.enum.map((v, i) => el('option', { value: String(i), text: typeof v === 'string' ? v : JSON.stringify(v) })));
        return {
          node: el('label', { class: 'field', for: id }, caption, select, hint),
          read: () => (select.value === '' ? { omit: true } : { value: schema.enum[Number(select.value)] }),
        };
      }
      case 'boolean': {
        const box = el('input', { id, name, type: 'checkbox', 'data-field': name });
        if (schema.default === true) box.checked = true;
        return { node: el('label', { class: 'field check', for: id }, box, caption, hint), read: () => ({ value: box.checked }) };
      }
      case 'number':
      case 'integer': {
        const input = el('input', {
          id, name, type: 'number', 'data-field': name, step: kind === 'integer' ? '1' : 'any',
          required: required ? 'required' : null, inputmode: kind === 'integer' ? 'numeric' : 'decimal',
        });
        return {
          node: el('label', { class: 'field', for: id }, caption, input, hint),
          read() {
            if (input.value === '') return { omit: true };
            const value = Number(input.value);
            if (Number.isNaN(value)) throw new Error(`${label}: not a number`);
            return { value };
          },
        };
      }
      case 'string': {
        const input = el('input', { id, name, type: 'text', 'data-field': name, autocomplete: 'off', required: required ? 'required' : null });
        return {
          node: el('label', { class: 'field', for: id }, caption, input, hint),
          read: () => (input.value === '' && !required ? { omit: true } : { value: input.value }),
        };
      }
      default: {
        const area = el('textarea', { id, name, rows: '4', 'data-field': name, class: 'json', spellcheck: 'false', placeholder: '{ }' });
        return {
          node: el('label', { class: 'field', for: id }, caption, ' (JSON)', area, hint),
          read() {
            const text = area.value.trim();
            if (!text) return { omit: true };
            try { return { value: JSON.parse(text) }; } catch (err) { throw new Error(`${label}: not JSON (${err.message})`); }
          },
        };
      }
    }
  }

  // onSend(payload) returns a promise of { ok, message }.
  function create({ signal, schema, path, onSend }) {
    const top = field(schema ?? null, 'payload', typeOf(schema) === 'object' ? '' : 'Payload', false);
    const raw = el('textarea', { class: 'json raw', rows: '4', spellcheck: 'false', 'aria-label': `payload of ${signal} as JSON` });
    const rawBox = el('details', { class: 'raw-json' }, el('summary', { text: 'Edit as JSON instead' }), raw);
    const result = el('div', { class: 'signal-result', role: 'status', 'aria-live': 'polite' });
    const rejection = el('div', { class: 'signal-rejection error', role: 'alert', hidden: true });
    const send = el('button', { type: 'submit', text: `Send “${signal}”` });
    const form = el('form', { class: 'signal-form', 'data-path': path, 'data-signal': signal, novalidate: '' },
      el('p', {}, 'Step ', el('code', { text: path }), ' waits for signal ', el('strong', { text: signal }),
        schema ? ' (its payload is checked against the wait’s schema)' : ''),
      top.node, rawBox, el('div', { class: 'form-row' }, send, result), rejection);

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      let payload;
      try {
        if (rawBox.open) {
          const text = raw.value.trim();
          payload = text ? JSON.parse(text) : null;
        } else {
          if (!form.reportValidity()) return;
          const r = top.read();
          payload = r.omit ? null : r.value;
        }
      } catch (err) {
        result.textContent = err.message;
        result.dataset.state = 'error';
        return;
      }
      send.disabled = true;
      result.textContent = 'sending…';
      result.dataset.state = 'sending';
      const outcome = await onSend(payload);
      send.disabled = false;
      result.textContent = outcome.message;
      result.dataset.state = outcome.ok ? 'sent' : 'error';
    });

    return {
      node: form,
      showRejection(text) {
        rejection.hidden = !text;
        rejection.textContent = text ? `Rejected: ${text}` : '';
        if (text) {
          result.textContent = '';
          result.dataset.state = 'rejected';
        }
      },
    };
  }

  return { create };
})();
