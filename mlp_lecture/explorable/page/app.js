// The explorable page's view: draws what maths.js returns, and redraws it on an edit.
//
// No arithmetic here: every shown number is a path into the trace that
// MlpMaths.computeTrace returns, written with MlpMaths.formatNumber; every "=" or "≈"
// of shown arithmetic is MlpMaths.relation of the shown texts. The page is built once
// (its shape follows the lesson's sizes, which edits never change); an edit only
// rewrites texts. window.mlpLecture is the page's interface for tests and teachers.
(function () {
  "use strict";
  const M = window.MlpMaths;
  const original = JSON.parse(document.getElementById("lesson-data").textContent);
  const view = JSON.parse(document.getElementById("view-data").textContent);
  const P = view.palette;
  const names = view.names;
  const decimals = original.decimals;
  const classifies = (original.loss || "mse") === "cross_entropy";
  const sizes0 = original.network.sizes;
  const classCount = sizes0[sizes0.length - 1];
  let lesson = JSON.parse(JSON.stringify(original));
  let trace = null;

  const bindings = []; // {el, tokens}: el shows the trace's value at tokens
  const flags = []; // {el, tokens}: el says whether the trace's boolean at tokens holds
  const relations = []; // {sign, terms, total, build}: a worked line's "=" or "≈"
  const fields = new Map(); // lesson path -> {input, message, positive}
  const redraws = []; // functions that redraw a picture from the trace
  const accuracies = []; // {el, step}: el shows "6/8 = 0.75" at that training step (null: now)
  const classTexts = []; // {el, tokens}: el shows the name of the class the trace holds at tokens
  const samples0 = original.data.inputs.length;
  // the lesson's class names, when it names its classes (else they are their numbers)
  const classNames = original.data.class_names || [];
  const named = classNames.some((name, k) => name !== String(k));
  /** How class k is called: its name, or "class k" (mlpmath.notation.class_label). */
  const classLabel = (k) => (named ? classNames[k] : `class ${k}`);
  const tags = view.names.tags; // each neuron's subscript: n_3, z_0 (a classifier's class)
  /** A name as TeX: a regression's one output ŷ (w6ŷ, bŷ) is \hat{y} in formulas. */
  const texName = (name) => name.replace(/ŷ/g, "\\hat{y}");

  // -- building blocks -------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") el.textContent = value;
      else if (key === "class") el.className = value;
      else el.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) el.append(child);
    return el;
  }
  const svg = (tag, attrs) => {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, value);
    return el;
  };
  function tokensOf(path) {
    return M.parsePath(path);
  }
  function at(tokens) {
    let value = trace;
    for (const token of tokens) value = value[token];
    return value;
  }
  const text = (path) => M.formatNumber(at(tokensOf(path)), decimals);

  /** A traced value: its text is the trace's value at `path`, at the shown decimals. */
  function value(path, role) {
    const el = h("span", { class: `num ${role || ""}`, "data-path": path });
    bindings.push({ el, tokens: tokensOf(path) });
    return el;
  }
  /** A traced true/false (a sample classified right): a mark, not a number. */
  function flag(path) {
    const el = h("span", { class: "flag", "data-flag": path });
    flags.push({ el, tokens: tokensOf(path) });
    return el;
  }
  function tex(source, display) {
    const el = h("span", { class: display ? "tex display" : "tex" });
    if (window.katex) window.katex.render(source, el, { displayMode: !!display, throwOnError: false });
    else el.textContent = source;
    return el;
  }
  const c = (role, body) => `\\color{${P[role]}}{${body}}`;

  /** An editable number of the lesson (`path` as set() takes it). */
  function editable(path, role, positive) {
    const input = h("input", { type: "text", inputmode: "decimal", class: `edit ${role || ""}`,
      "data-edit": path, "aria-label": path, size: "7", spellcheck: "false" });
    const message = h("span", { class: "message", role: "alert" });
    const grip = M.isClassPath(path) ? null
      : h("span", { class: "grip", title: "drag to change", "aria-hidden": "true", text: "⇔" });
    if (!grip) input.setAttribute("inputmode", "numeric");
    fields.set(path, { input, message, positive });
    input.value = String(M.resolve(lesson, path));
    fit(input);
    input.addEventListener("input", () => fit(input));
    input.addEventListener("change", () => edit(path, input.value));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") edit(path, input.value);
    });
    if (grip) grip.addEventListener("pointerdown", (event) => drag(event, path, grip));
    return h("span", { class: "field" }, input, grip, message);
  }
  /** A field as wide as its text: a lesson's number is never cut off in its box. */
  function fit(input) {
    input.style.width = `calc(${Math.max(input.value.length, 3)}ch + 12px)`;
  }
  function drag(event, path, grip) {
    event.preventDefault();
    grip.setPointerCapture(event.pointerId);
    const start = M.resolve(lesson, path);
    const x0 = event.clientX;
    const step = 10 ** -Math.max(decimals - 1, 0);
    const move = (e) => {
      const next = Number((start + Math.round(e.clientX - x0) * step).toFixed(decimals));
      edit(path, String(next));
    };
    const stop = () => {
      grip.removeEventListener("pointermove", move);
      grip.removeEventListener("pointerup", stop);
    };
    grip.addEventListener("pointermove", move);
    grip.addEventListener("pointerup", stop);
  }

  /** A matrix of values (or of editable fields), rows and columns optionally named. */
  function matrix(rows, columns, cell, rowNames, columnNames) {
    const table = h("table", { class: "matrix" });
    if (columnNames) {
      table.append(h("tr", {}, rowNames ? h("th") : null, ...columnNames.map((name) => h("th", { text: name }))));
    }
    for (let r = 0; r < rows; r++) {
      const tr = h("tr", {}, rowNames ? h("th", { text: rowNames[r] }) : null);
      for (let col = 0; col < columns; col++) tr.append(h("td", {}, cell(r, col)));
      table.append(tr);
    }
    return scroll(table);
  }
  /** A wide table scrolls inside its own box: the page itself never scrolls sideways. */
  const scroll = (table) => h("div", { class: "scroll" }, table);
  /** The name of the class the trace holds at `path` (shown only when classes are named). */
  function className(path) {
    const el = h("span", { class: "class-name" });
    if (named) classTexts.push({ el, tokens: tokensOf(path) });
    return el;
  }
  /** Accuracy at training step `step` (null: the lesson's parameters), as a count. */
  function accuracy(step) {
    // in the text's own colour: a colour would praise an accuracy of 0 as much as one of 1
    const el = h("span", { class: "num accuracy", "data-accuracy": step === null ? "now" : String(step) });
    accuracies.push({ el, step });
    return el;
  }
  function correctAt(step) {
    const network = trace.network;
    if (step === null) return network.correct_count;
    const counts = network.training.correct_counts;
    // the counts behind the accuracies (k/N exactly): as the trace records them
    return counts && counts.length ? counts[step] : Math.round(network.training.accuracies[step] * samples0);
  }
  const labelled = (label, body) => h("div", { class: "block" }, h("div", { class: "label" }, label), body);

  /** Shown arithmetic: terms [[leftPath, rightPath|null], ...] (a dot product or a sum)
   *  or an `expression(texts)` builder, then its sign and the total. */
  function worked(prefix, pairs, totalPath, roles, build) {
    const line = h("div", { class: "worked" }, prefix ? tex(prefix) : null);
    const paths = [];
    pairs.forEach(([left, right], i) => {
      if (i > 0 && !build) line.append(h("span", { class: "op", text: "+" }));
      if (build && i > 0) line.append(h("span", { class: "op", text: build.ops[i - 1] }));
      line.append(value(left, right === null ? roles[2] || roles[0] : roles[0]));
      paths.push(left);
      if (right !== null) {
        line.append(h("span", { class: "op", text: "·" }), value(right, roles[1]));
        paths.push(right);
      }
    });
    const sign = h("span", { class: "sign" });
    line.append(sign, value(totalPath, "result"));
    relations.push({ sign, pairs, totalPath, build });
    return line;
  }
  function relationOf({ pairs, totalPath, build }) {
    const total = text(totalPath);
    const expression = build
      ? build.expression(pairs.map(([left]) => text(left)))
      : M.dotExpression(pairs.map(([l, r]) => [text(l), r === null ? null : text(r)]));
    return { expression: expression.text, sign: M.relation(expression, total) };
  }

  // -- edits -------------------------------------------------------------------------
  function edit(path, raw) {
    const field = fields.get(path);
    const parsed = M.isClassPath(path)
      ? M.parseClass(raw, classCount)
      : M.parseEdit(raw, field ? field.positive : path === "training.learning_rate");
    if (parsed.error) {
      if (field) {
        field.input.classList.add("refused");
        field.input.setAttribute("aria-invalid", "true");
        field.message.textContent = `${parsed.error}; kept ${M.resolve(lesson, path)}`;
      }
      return { ok: false, error: parsed.error };
    }
    lesson = M.withEdit(lesson, path, parsed.value);
    if (field) {
      field.input.classList.remove("refused");
      field.input.removeAttribute("aria-invalid");
      field.message.textContent = "";
      if (Number(field.input.value) !== parsed.value) field.input.value = String(parsed.value);
      fit(field.input);
    }
    const ms = update();
    return { ok: true, ms };
  }

  function update() {
    const start = performance.now();
    trace = M.computeTrace(lesson);
    for (const { el, tokens } of bindings) {
      const shown = M.formatNumber(at(tokens), decimals);
      if (el.textContent !== shown) {
        el.textContent = shown;
        el.classList.toggle("negative", shown.startsWith("-"));
      }
    }
    for (const { el, step } of accuracies) el.textContent = M.formatAccuracy(correctAt(step), samples0, decimals);
    for (const { el, tokens } of classTexts) el.textContent = classNames[at(tokens)];
    for (const { el, tokens } of flags) {
      const right = at(tokens) === true;
      el.textContent = right ? "✓ right" : "✗ wrong";
      el.className = `flag ${right ? "correct" : "wrong"}`;
    }
    for (const relation of relations) {
      const { expression, sign } = relationOf(relation);
      relation.sign.textContent = sign;
      relation.sign.dataset.sign = sign;
      relation.sign.dataset.expression = expression;
      relation.sign.dataset.total = text(relation.totalPath);
    }
    for (const redraw of redraws) redraw();
    const ms = performance.now() - start;
    api.timings.update = ms;
    document.getElementById("status").textContent = `recomputed in ${ms.toFixed(1)} ms`;
    return ms;
  }

  // -- the page's sections, in the lecture's order -----------------------------------
  const page = document.getElementById("page");
  const section = (title, ...children) => page.append(h("section", {}, h("h2", { text: title }), ...children));

  function neuronSections() {
    lesson.neurons.forEach((neuron, k) => {
      const base = `neurons[${k}]`;
      const inputs = neuron.inputs[0].length;
      const xNames = Array.from({ length: inputs }, (_, i) => `x${i + 1}`);
      const wNames = Array.from({ length: inputs }, (_, i) => `w${i + 1}`);
      const samples = neuron.inputs.length;
      const output = neuronOutputTex(k);
      const rows = [];
      for (let s = 0; s < samples; s++) {
        const pairs = xNames.map((_, i) => [`${base}.inputs[${s}][${i}]`, `${base}.weight[${i}]`]);
        pairs.push([`${base}.bias`, null]);
        rows.push(h("div", { class: "sample" },
          worked(samples > 1 ? `n^{(${s + 1})} =` : "n =", pairs, `${base}.preactivation[${s}]`,
            ["input", "weight", "bias"]),
          h("div", { class: "worked" }, tex(samples > 1
            ? `${output}^{(${s + 1})} = ${activationTex(neuron.activation)}(n^{(${s + 1})}) =`
            : `${output} = ${activationTex(neuron.activation)}(n) =`),
            value(`${base}.output[${s}]`, "active"))));
      }
      const term = (i) => `${c("input", `x_{${i}}`)}${c("weight", `w_{${i}}`)}`;
      // every term when there are few; the first and the last around dots otherwise
      const terms = inputs <= 3 ? xNames.map((_, i) => term(i + 1)).join(" + ") : `${term(1)} + \\dots + ${term(inputs)}`;
      section(
        samples === 1 ? `One neuron${k ? ` (${k + 1})` : ""}` : `One neuron over a batch of ${samples} samples`,
        // the notation's letters: n the weighted sum plus bias, f(n) its output
        tex(`n = ${terms} + ${c("bias", "b")},\\quad ${output} = ${activationTex(neuron.activation)}(n)`, true),
        h("div", { class: "row" },
          labelled(samples === 1 ? "inputs x" : "inputs X (a row per sample)",
            matrix(samples, inputs, (s, i) => editable(`${base}.inputs[${s}][${i}]`, "input"), null, xNames)),
          labelled("weights w", matrix(1, inputs, (_, i) => editable(`${base}.weight[${i}]`, "weight"), null, wNames)),
          labelled("bias b", editable(`${base}.bias`, "bias"))),
        ...rows);
    });
  }

  // What one-neuron example k's output is called, as the scenes call it
  // (scenekit.notation.neuron_output): a regression's ŷ where the neuron is its output;
  // a hidden neuron's activation g where its weights and bias are a hidden layer's row,
  // or on a classifier (where ŷ is the predicted class); a classifier's output neuron
  // with no activation is its class's logit z_k.
  function neuronOutputTex(k) {
    const spec = original.neurons[k];
    const layers = original.network.layers;
    const last = layers.length - 1;
    const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
    const found = [];
    layers.forEach((layer, l) => layer.weight.forEach((row, j) => {
      if (same(row, spec.weight) && layer.bias[j] === spec.bias) found.push([l, j]);
    }));
    if (classifies) {
      const logit = found.find(([l]) => l === last);
      return logit && spec.activation === "none" ? `z_{${logit[1]}}` : "g";
    }
    return found.some(([l]) => l < last) ? "g" : "\\hat y";
  }

  // What MSE's mean divides by, as the notation counts it: N samples; with several
  // outputs, N times the outputs (never K, the weighted sums' matrix).
  function meanCount(sizes) {
    return sizes[sizes.length - 1] === 1 ? "N" : "N \\cdot \\text{outputs}";
  }

  function activationTex(name) {
    return { none: "\\mathrm{id}", relu: "\\mathrm{ReLU}", sigmoid: "\\sigma", tanh: "\\tanh" }[name];
  }

  function dataSection() {
    const sizes = lesson.network.sizes;
    const samples = lesson.data.inputs.length;
    const sampleNames = Array.from({ length: samples }, (_, s) => `sample ${s + 1}`);
    const outputs = names.neurons[sizes.length - 1].map((n) => n.replace("ŷ", "y"));
    section("The network's data",
      h("p", { text: `nn.Sequential of ${sizes.length - 1} nn.Linear layers, sizes ${sizes.join(" → ")}: `
        + `the inputs are ${names.neurons[0].join(", ")}, the neurons go on counting through the network.` }),
      h("div", { class: "row" },
        labelled("inputs X", matrix(samples, sizes[0], (s, i) => editable(`data.inputs[${s}][${i}]`, "input"), sampleNames, names.neurons[0])),
        classifies
          ? labelled(named ? `classes y: ${classNames.map((name, k) => `${k} ${name}`).join(", ")}` : `classes y (0 to ${classCount - 1})`,
            matrix(samples, named ? 2 : 1, (s, col) => (col ? className(`network.classes[${s}]`) : editable(`data.classes[${s}]`, "result")), sampleNames, named ? ["y", ""] : ["y"]))
          : labelled("targets y", matrix(samples, sizes[sizes.length - 1], (s, j) => editable(`data.targets[${s}][${j}]`, "result"), sampleNames, outputs))));
  }

  function layerSections() {
    const sizes = lesson.network.sizes;
    lesson.network.layers.forEach((layer, i) => {
      const base = `network.layers[${i}]`;
      const samples = lesson.data.inputs.length;
      const fanIn = sizes[i];
      const fanOut = sizes[i + 1];
      const inNames = names.neurons[i];
      const outNames = names.neurons[i + 1];
      const act = lesson.network.activations[i];
      const l = i + 1; // the layer's number, [1] for the first nn.Linear
      const logits = classifies && i === sizes.length - 2; // a classifier's Z: no activation
      const sampleNames = Array.from({ length: samples }, (_, s) => `(${s + 1})`);
      const grid = (key, role) => matrix(samples, fanOut, (s, j) => value(`${base}.${key}[${s}][${j}]`, role), sampleNames, outNames);
      const dot = inNames.map((_, k) => [`${base}.input[0][${k}]`, `${base}.weight[0][${k}]`]);
      const input = i ? `G^[${i}]` : "X";
      const sum = logits ? "Z" : `N^[${l}]`;
      const tag = texName(tags[l][0]);
      section(`Layer ${l}: nn.Linear(${fanIn}, ${fanOut})${act === "none" ? "" : `, then ${act}`}`,
        tex(`${logits ? "Z" : `N^{[${l}]}`} = ${c("input", i ? `G^{[${i}]}` : "X")}\\,${c("weight", `W^{[${l}]}`)}{}^{\\top} + ${c("bias", `B^{[${l}]}`)}`
          + (logits ? "\\qquad\\text{(the logits)}" : `,\\qquad G^{[${l}]} = ${activationTex(act)}(N^{[${l}]})`), true),
        h("div", { class: "row" },
          labelled(i ? `input ${input}: layer ${i}'s output` : "input X", matrix(samples, fanIn, (s, k) => value(`${base}.input[${s}][${k}]`, "input"), sampleNames, inNames)),
          labelled(`weight W^[${l}] (a row per neuron)`, matrix(fanOut, fanIn, (r, k) => editable(`${base}.weight[${r}][${k}]`, "weight"), outNames, inNames)),
          labelled(`bias row B^[${l}]`, matrix(1, fanOut, (_, j) => editable(`${base}.bias[${j}]`, "bias"), null, names.biases[i]))),
        h("div", { class: "row" },
          labelled(`${input} W^[${l}]ᵀ: each neuron's weighted sum k, every sample`, grid("product", "result")),
          labelled(`B^[${l}] broadcast to every sample`, grid("bias_broadcast", "bias")),
          labelled(`${sum} = ${input} W^[${l}]ᵀ + B^[${l}]${logits ? ": the logits" : ""}`, grid("preactivation", "result")),
          logits ? null : labelled(act === "none" ? `G^[${l}] = N^[${l}] (no activation)` : `G^[${l}] = ${act}(N^[${l}])`, grid("output", "active"))),
        worked(`k_{${tag}}^{(1)} =`, dot, `${base}.product[0][0]`, ["input", "weight"]),
        worked(`${logits ? "z" : "n"}_{${tag}}^{(1)} =`, [[`${base}.product[0][0]`, null], [`${base}.bias_broadcast[0][0]`, null]],
          `${base}.preactivation[0][0]`, ["result", null, "result"]));
    });
  }

  function diagramSection() {
    const sizes = lesson.network.sizes;
    const width = 1000;
    const height = 70 + 110 * Math.max(...sizes);
    const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "diagram", role: "img",
      "aria-label": "the network, with the values of one sample" });
    const columnX = (l) => 70 + (l * (width - 140)) / (sizes.length - 1);
    const rowY = (l, j) => height / 2 + (j - (sizes[l] - 1) / 2) * 110;
    const labelWeights = Math.max(...sizes) <= view.limits.labelled_neurons
      && sizes.slice(1).reduce((n, s, l) => n + s * sizes[l], 0) <= view.limits.edge_labels;
    let sample = 0;
    const dynamic = [];
    sizes.slice(1).forEach((fanOut, l) => {
      for (let r = 0; r < fanOut; r++) {
        for (let k = 0; k < sizes[l]; k++) {
          const x1 = columnX(l); const y1 = rowY(l, k); const x2 = columnX(l + 1); const y2 = rowY(l + 1, r);
          picture.append(svg("line", { x1, y1, x2, y2, class: "edge" }));
          if (labelWeights) {
            // stacked at the neuron fed, in the order its edges arrive, as the lecture's diagram
            const label = svg("text", { x: x2 - 32, y: y2 + (k - (sizes[l] - 1) / 2) * 15 + 4, class: "edge-label" });
            label.textContent = "";
            picture.append(label);
            dynamic.push({ el: label, path: () => `network.layers[${l}].weight[${r}][${k}]`, prefix: `${names.weights[l][r][k]} = ` });
          }
        }
      }
    });
    sizes.forEach((size, l) => {
      for (let j = 0; j < size; j++) {
        const x = columnX(l); const y = rowY(l, j);
        picture.append(svg("circle", { cx: x, cy: y, r: 24, class: l ? "neuron" : "neuron input" }));
        const name = svg("text", { x, y: y + 5, class: "neuron-name" });
        name.textContent = names.neurons[l][j];
        picture.append(name);
        const shown = svg("text", { x, y: y + 44, class: l ? "neuron-value" : "neuron-value input" });
        picture.append(shown);
        dynamic.push({ el: shown, path: () => (l ? `network.layers[${l - 1}].output[${sample}][${j}]` : `network.layers[0].input[${sample}][${j}]`), prefix: "" });
      }
    });
    const picker = h("div", { class: "toolbar" }, h("span", { text: "sample: " }));
    lesson.data.inputs.forEach((_, s) => {
      const button = h("button", { type: "button", class: s ? "" : "chosen", text: String(s + 1) });
      button.addEventListener("click", () => {
        sample = s;
        picker.querySelectorAll("button").forEach((b, i) => b.classList.toggle("chosen", i === s));
        redrawDiagram();
      });
      picker.append(button);
    });
    function redrawDiagram() {
      for (const { el, path, prefix } of dynamic) {
        const p = path();
        el.setAttribute("data-path", p);
        el.textContent = prefix + text(p);
      }
    }
    redraws.push(redrawDiagram);
    section("The forward pass, one sample through the network", picker, picture);
  }

  function activationSection() {
    const demo = "activation_demo";
    const count = lesson.data.inputs.length * lesson.network.sizes[1];
    const name = original.network.activations.concat(original.neurons.map((n) => n.activation)).find((a) => a !== "none") || "relu";
    section(`The activation: ${name}`,
      tex(`g = ${activationTex(name)}(n)`, true),
      h("p", { text: "The first layer's weighted sums plus bias, N^[1], sample after sample, through it:" }),
      matrix(2, count, (r, k) => value(`${demo}.${r ? "output" : "preactivation"}[${k}]`, r ? "active" : "result"),
        ["n", `${name}(n)`], null));
  }

  // Shown arithmetic in parentheses, so its Python text reads as the line is meant.
  const group = (e) => ({ ...e, text: `(${e.text})` });

  function lossSection() {
    lossView.section(kit);
  }

  function chainRuleSection() {
    const sizes = lesson.network.sizes;
    const samples = lesson.data.inputs.length;
    const blocks = [];
    for (let i = sizes.length - 2; i >= 0; i--) {
      const base = `network.chain_rule[${i}]`;
      const inNames = names.neurons[i];
      const outNames = names.neurons[i + 1];
      const sampleNames = Array.from({ length: samples }, (_, s) => `(${s + 1})`);
      const grid = (key, role) => matrix(samples, sizes[i + 1], (s, j) => value(`${base}.${key}[${s}][${j}]`, role), sampleNames, outNames);
      const times = { ops: ["·"], expression: ([a, b]) => M.combine("*", M.shown(a), M.shown(b)) };
      const l = i + 1;
      const last = i === sizes.length - 2;
      const out = last ? (classifies ? "Z" : "Ŷ") : `G^[${l}]`;
      const sum = last && classifies ? "Z" : `N^[${l}]`;
      blocks.push(h("div", { class: "layer-back" },
        h("h3", { text: `Layer ${l}` }),
        h("div", { class: "row" },
          labelled(`upstream ∂L/∂${out}`, grid("upstream", "gradient")),
          labelled(`f′(${sum})`, grid("activation_derivative", "active")),
          labelled(`δ^[${l}] = ∂L/∂${out} ⊙ f′(${sum})`, grid("delta", "gradient"))),
        worked(`\\delta_{${texName(tags[l][0])}}^{[${l}](1)} =`, [[`${base}.upstream[0][0]`, null], [`${base}.activation_derivative[0][0]`, null]],
          `${base}.delta[0][0]`, ["gradient", null, "gradient"], times),
        worked(`\\partial L/\\partial ${texName(names.weights[i][0][0]).replace(/^w(.*)$/, "w_{$1}")} =`,
          Array.from({ length: samples }, (_, s) => [`${base}.delta[${s}][0]`, `network.layers[${i}].input[${s}][0]`]),
          `${base}.weight[0][0]`, ["gradient", "input"]),
        h("div", { class: "row" },
          labelled(`∂L/∂W^[${l}] by the chain rule`, matrix(sizes[i + 1], sizes[i], (r, k) => value(`${base}.weight[${r}][${k}]`, "gradient"), outNames, inNames)),
          labelled(`∂L/∂W^[${l}], autograd's rule`, matrix(sizes[i + 1], sizes[i], (r, k) => value(`network.gradients[${i}].weight[${r}][${k}]`, "gradient"), outNames, inNames)),
          labelled(`∂L/∂B^[${l}] by the chain rule`, matrix(1, sizes[i + 1], (_, j) => value(`${base}.bias[${j}]`, "gradient"), null, names.biases[i])),
          labelled(`∂L/∂B^[${l}], autograd's rule`, matrix(1, sizes[i + 1], (_, j) => value(`network.gradients[${i}].bias[${j}]`, "gradient"), null, names.biases[i])))));
    }
    const start = classifies
      ? `\\frac{\\partial L}{\\partial Z} = \\frac{1}{N}(P - Y)`
      : `\\frac{\\partial L}{\\partial \\hat y} = -\\frac{2}{${meanCount(sizes)}}(y - \\hat y)`;
    const gradientStart = { ops: ["−", ") /"], expression: ([p, y, n]) => M.combine("/", group(M.combine("-", M.shown(p), M.shown(y))), M.shown(n)) };
    const startLine = classifies ? worked(`\\partial L/\\partial z_{${tags[sizes.length - 1][0]}}^{(1)} = (`, [["network.softmax.probabilities[0][0]", null], ["network.one_hot[0][0]", null], ["network.loss_count", null]],
        "network.prediction_gradient[0][0]", ["result", null, "gradient"], gradientStart) : null;
    section("The chain rule, from the loss back",
      tex(`${start},\\quad ${c("gradient", "\\delta^{[l]}")} = \\frac{\\partial L}{\\partial G^{[l]}} \\odot f'(N^{[l]}),\\quad \\frac{\\partial L}{\\partial ${c("weight", "W^{[l]}")}} = ${c("gradient", "\\delta^{[l]}")}{}^{\\top} ${c("input", "G^{[l-1]}")},\\quad \\frac{\\partial L}{\\partial ${c("bias", "B^{[l]}")}} = \\sum_{i} ${c("gradient", "\\delta^{[l](i)}")}`, true),
      h("p", { class: "note", text: "G^[0] is the inputs X; the last layer's G is the prediction (a classifier's: the logits Z, no activation, so f′ = 1)." }),
      startLine,
      h("p", { class: "note", text: "In the lecture the right-hand tables are torch autograd's .grad; the page has no autograd and runs the same rule again (its test compares both with torch)." }),
      ...blocks);
  }

  function trainingSection() {
    const steps = lesson.training.steps;
    const minus = { ops: ["−", "·"], expression: ([w, lr, g]) => M.combine("-", M.shown(w), M.combine("*", M.shown(lr), M.shown(g))) };
    const first = "network.training.steps[0]";
    const curve = svg("svg", { viewBox: "0 0 640 260", class: "curve", role: "img", "aria-label": "the loss at each step" });
    const line = svg("polyline", { class: "loss-line" });
    const axis = svg("text", { x: 8, y: 16, class: "axis" });
    const scaleNote = svg("text", { x: 632, y: 16, class: "axis end" });
    curve.append(svg("line", { x1: 40, y1: 230, x2: 630, y2: 230, class: "axis-line" }),
      svg("line", { x1: 40, y1: 20, x2: 40, y2: 230, class: "axis-line" }), line, axis, scaleNote);
    const points = [];
    for (let k = 0; k <= Math.min(steps, 200); k++) {
      const dot = svg("circle", { r: 3.5, class: "loss-point" });
      curve.append(dot);
      points.push(dot);
    }
    redraws.push(() => {
      const losses = trace.network.training.losses;
      const finite = losses.filter(Number.isFinite);
      if (!finite.length) return;
      const log = Math.min(...finite) > 0 && Math.max(...finite) / Math.min(...finite) > view.limits.log_scale_ratio;
      const f = log ? Math.log10 : (v) => v;
      const low = Math.min(...finite.map(f));
      const high = Math.max(...finite.map(f));
      const span = high - low || 1;
      const xs = (k) => 40 + (590 * k) / Math.max(losses.length - 1, 1);
      const ys = (v) => 230 - (200 * (f(v) - low)) / span;
      const shown = [];
      points.forEach((dot, i) => {
        const k = Math.round((i * (losses.length - 1)) / Math.max(points.length - 1, 1));
        const ok = Number.isFinite(losses[k]);
        dot.setAttribute("cx", xs(k));
        dot.setAttribute("cy", ok ? ys(losses[k]) : 20);
        if (ok) shown.push(`${xs(k)},${ys(losses[k])}`);
      });
      line.setAttribute("points", shown.join(" "));
      axis.textContent = `loss (from ${M.formatNumber(losses[0], decimals)} to ${M.formatNumber(losses[losses.length - 1], decimals)})`;
      scaleNote.textContent = log ? "log scale" : "";
    });
    const listed = Array.from({ length: steps + 1 }, (_, k) => k).filter((k) => k < 10 || k === steps);
    // a column "…" where steps are left out (step 9, …, step 20): the table says so
    const columns = listed.flatMap((k, i) => (i && k > listed[i - 1] + 1 ? [null, k] : [k]));
    section("Training: gradient descent",
      h("div", { class: "row" }, labelled("learning rate α", editable("training.learning_rate", "weight", true)),
        labelled("steps", h("span", { class: "num", text: String(steps) }))),
      tex(`${c("updated", "w'")} = ${c("weight", "w")} - \\alpha\\,${c("gradient", "\\frac{\\partial L}{\\partial w}")}`, true),
      worked(`${texName(names.weights[0][0][0]).replace(/^w(.*)$/, "w_{$1}")}' =`,
        [[`${first}.parameters[0].weight[0][0]`, null], ["network.training.learning_rate", null], [`${first}.gradients[0].weight[0][0]`, null]],
        `${first}.updated[0].weight[0][0]`, ["weight", null, "weight"], minus),
      curve,
      matrix(classifies ? 3 : 2, columns.length, (r, i) => {
        const k = columns[i];
        if (k === null) return h("span", { class: "gap", title: "steps left out", text: "…" });
        if (r === 0) return h("span", { text: String(k) });
        return r === 1 ? value(`network.training.losses[${k}]`, "clamped") : accuracy(k);
      }, classifies ? ["step", "loss", "accuracy"] : ["step", "loss"], null),
      lossView.pictures && lesson.data.inputs[0].length === 2 ? lossView.pictures(kit) : null);
  }

  // -- the interface: tests and teachers ----------------------------------------------
  function jsonSafe(value) {
    return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
  }
  const api = {
    timings: { load: null, update: null },
    /** Change one number of the lesson (a lesson path); {ok, ms} or {ok: false, error}. */
    set(path, number) {
      if (!M.editablePaths(lesson).includes(path)) return { ok: false, error: `${path}: not an editable value` };
      const field = fields.get(path);
      if (field) field.input.value = String(number);
      return edit(path, String(number));
    },
    /** The recomputed trace, under the paths of `mlp-lecture trace --json`. */
    trace: () => jsonSafe(trace),
    lesson: () => JSON.parse(JSON.stringify(lesson)),
    toml: () => M.lessonToml(lesson),
    reset() {
      lesson = JSON.parse(JSON.stringify(original));
      for (const [path, field] of fields) {
        field.input.value = String(M.resolve(lesson, path));
        fit(field.input);
        field.input.classList.remove("refused");
        field.message.textContent = "";
      }
      return update();
    },
  };
  window.mlpLecture = api;

  document.getElementById("title").textContent = original.title;
  for (const [role, hex] of Object.entries(P)) document.documentElement.style.setProperty(`--${role}`, hex);
  document.getElementById("reset").addEventListener("click", () => api.reset());
  document.getElementById("download").addEventListener("click", () => {
    const link = h("a", { download: `${original.name}-edited.toml` });
    link.href = URL.createObjectURL(new Blob([api.toml()], { type: "application/toml" }));
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });

  // what loss_views.js draws with
  const lossView = window.MlpLossViews[original.loss || "mse"];
  const kit = { h, value, flag, matrix, labelled, worked, section, tex, c, text, group, M, view,
    redraws, classCount, trace: () => trace, lesson: () => lesson, scroll, accuracy, className,
    classLabel, named, tags,
    accuracyAt: (el, step) => (el.textContent = M.formatAccuracy(correctAt(step), samples0, decimals)) };
  neuronSections();
  dataSection();
  layerSections();
  diagramSection();
  activationSection();
  lossSection();
  chainRuleSection();
  trainingSection();
  update();
  api.timings.load = performance.now();
})();
