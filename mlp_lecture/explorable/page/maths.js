// The explorable page's maths: pure functions from a lesson to its whole trace.
//
// Model apart from view (TensorFlow Playground's nn.ts): nothing here touches the
// page. computeTrace(lesson) returns the same JSON shape, under the same paths, as
// `mlp-lecture trace --json` (mlpmath/compute.py, mlpmath/trace.py), in float64,
// with the chain rule by hand as mlpmath writes it. The display rules (display.js)
// and the lesson file (lesson_file.js) are exported with it. A classic script (a
// page opened from file:// cannot load ES module files), exporting one object:
// window.MlpMaths in a page (after display.js and lesson_file.js), module.exports
// under node.
(function (root) {
  "use strict";
  const fromNode = typeof module !== "undefined" && module.exports;
  const D = fromNode ? require("./display.js") : root.MlpDisplay;
  const F = fromNode ? require("./lesson_file.js") : root.MlpLessonFile;

  // -- activations, each beside its derivative (mlpmath/activations.py) ------------
  const ACTIVATIONS = {
    none: { forward: (z) => z, derivative: () => 1 },
    // NaN passes through as torch.relu has it; ReLU'(0) = 0, as autograd has it
    relu: { forward: (z) => (z > 0 || Number.isNaN(z) ? z : 0), derivative: (z) => (z > 0 ? 1 : 0) },
    sigmoid: {
      forward: (z) => 1 / (1 + Math.exp(-z)),
      derivative: (z) => {
        const s = 1 / (1 + Math.exp(-z));
        return s * (1 - s);
      },
    },
    tanh: {
      forward: Math.tanh,
      derivative: (z) => {
        const t = Math.tanh(z);
        return 1 - t * t;
      },
    },
  };

  // -- small matrix helpers (plain arrays of rows) ---------------------------------
  const map = (m, f) => m.map((row, r) => row.map((v, c) => f(v, r, c)));
  const transpose = (m) => m[0].map((_, c) => m.map((row) => row[c]));
  function matmul(a, b) {
    // a (n x k) . b (k x m)
    const out = [];
    for (let i = 0; i < a.length; i++) {
      const row = new Array(b[0].length).fill(0);
      for (let j = 0; j < row.length; j++) {
        let sum = 0;
        for (let k = 0; k < b.length; k++) sum += a[i][k] * b[k][j];
        row[j] = sum;
      }
      out.push(row);
    }
    return out;
  }
  const copy = (m) => m.map((row) => row.slice());

  // -- losses: one small interface (mlpmath/losses.py's Loss) ----------------------
  // target(lesson): what the loss learns; value; record: its own trace fields;
  // gradient: dL/d(prediction), where the chain rule starts; classifies: whether it
  // has predicted classes (accuracy, regions).
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  /** A row's predicted class: its argmax (ties: the lowest index; NaN the largest, as torch). */
  function argmax(row) {
    let best = 0;
    for (let j = 1; j < row.length && !Number.isNaN(row[best]); j++) {
      if (Number.isNaN(row[j]) || row[j] > row[best]) best = j;
    }
    return best;
  }
  const LOSSES = {
    mse: {
      classifies: false,
      target: (lesson) => lesson.data.targets,
      value(prediction, target) {
        let sum = 0;
        let count = 0;
        prediction.forEach((row, r) =>
          row.forEach((p, c) => {
            const e = target[r][c] - p;
            sum += e * e;
            count++;
          })
        );
        return sum / count;
      },
      record(prediction, target) {
        const errors = map(prediction, (p, r, c) => target[r][c] - p);
        const squared = map(errors, (e) => e * e);
        let total = 0;
        squared.forEach((row) => row.forEach((v) => (total += v)));
        const count = prediction.length * prediction[0].length;
        return {
          target,
          errors,
          squared_errors: squared,
          squared_error_sum: total,
          loss_count: count,
          loss: total / count,
        };
      },
      gradient(prediction, target) {
        // dL/dy_hat = -2/K (y - y_hat)
        const count = prediction.length * prediction[0].length;
        return map(prediction, (p, r, c) => (-2 / count) * (target[r][c] - p));
      },
    },
    // softmax in a board's order (shift by the row's max, exponentiate, sum, divide),
    // then -log p of the true class as log S - shifted[y] (finite where p underflows)
    cross_entropy: {
      classifies: true,
      target: (lesson) => lesson.data.classes,
      softmax(logits) {
        const rowMax = logits.map((row) => row.reduce((m, z) => (Number.isNaN(m) || !(Number.isNaN(z) || z > m) ? m : z)));
        const shifted = map(logits, (z, r) => z - rowMax[r]);
        const exp = map(shifted, Math.exp);
        const expSum = exp.map(sum);
        return { logits, row_max: rowMax, shifted, exp, exp_sum: expSum,
          probabilities: map(exp, (e, r) => e / expSum[r]) };
      },
      perSample(logits, classes) {
        const softmax = this.softmax(logits);
        const crossEntropy = classes.map((y, s) => Math.log(softmax.exp_sum[s]) - softmax.shifted[s][y]);
        return { softmax, crossEntropy };
      },
      value(prediction, classes) {
        return sum(this.perSample(prediction, classes).crossEntropy) / classes.length;
      },
      predictedClasses: (logits) => logits.map(argmax),
      accuracy(prediction, classes) {
        const predicted = this.predictedClasses(prediction);
        return predicted.filter((c, s) => c === classes[s]).length / classes.length;
      },
      oneHot: (classes, count) => classes.map((y) => Array.from({ length: count }, (_, c) => (c === y ? 1 : 0))),
      record(prediction, classes) {
        const { softmax, crossEntropy } = this.perSample(prediction, classes);
        const predicted = this.predictedClasses(prediction);
        const correct = predicted.map((c, s) => c === classes[s]);
        const count = correct.filter(Boolean).length;
        return {
          classes,
          one_hot: this.oneHot(classes, prediction[0].length),
          softmax,
          true_class_probability: classes.map((y, s) => softmax.probabilities[s][y]),
          cross_entropy: crossEntropy,
          predicted_classes: predicted,
          correct,
          correct_count: count,
          accuracy: count / classes.length,
          loss_count: classes.length,
          loss: sum(crossEntropy) / classes.length,
        };
      },
      gradient(prediction, classes) {
        // dL/dZ = (P - Y) / N
        const p = this.softmax(prediction).probabilities;
        return map(p, (v, r, c) => (v - (c === classes[r] ? 1 : 0)) / prediction.length);
      },
    },
  };

  // The regions a 2-input classifier's training pictures (mlpmath/compute.py):
  // REGION_PICTURES steps, a REGION_CELLS-square grid over the samples' range.
  const REGION_CELLS = 48;
  const REGION_PICTURES = 5;
  function regionSteps(steps) {
    const last = REGION_PICTURES - 1;
    return [...new Set(Array.from({ length: REGION_PICTURES }, (_, i) => Math.floor((i * steps) / last)))].sort((a, b) => a - b);
  }
  function regionBounds(x) {
    const edges = [];
    for (let i = 0; i < 2; i++) {
      const column = x.map((row) => row[i]);
      const low = Math.min(...column);
      const high = Math.max(...column);
      const margin = high > low ? (high - low) / 4 : 1;
      edges.push(low - margin, high + margin);
    }
    return edges;
  }
  function regions(x, pictured, steps, activations, loss) {
    const bounds = regionBounds(x);
    const centres = [0, 2].map((k) => {
      const [low, high] = [bounds[k], bounds[k + 1]];
      return Array.from({ length: REGION_CELLS }, (_, i) => low + ((i + 0.5) * (high - low)) / REGION_CELLS);
    });
    const [first, second] = centres;
    const predicted = pictured.map((params) =>
      second.map((x2) => first.map((x1) => argmax(outputOf(params, [x1, x2], activations)))));
    return { steps, bounds, first, second, predicted };
  }

  // -- the forward pass and the chain rule (mlpmath/compute.py) --------------------
  function forward(params, x, activations) {
    const layers = [];
    params.forEach(({ weight, bias }, i) => {
      const f = ACTIVATIONS[activations[i]].forward;
      const product = matmul(x, transpose(weight));
      const broadcast = product.map(() => bias.slice());
      const pre = map(product, (v, r, c) => v + broadcast[r][c]);
      const output = map(pre, f);
      layers.push({ input: x, product, bias_broadcast: broadcast, preactivation: pre, output });
      x = output;
    });
    return layers;
  }

  /** One sample's last output: forward()'s arithmetic in its order, without its records
   *  (the regions ask it of thousands of points). */
  function outputOf(params, x, activations) {
    for (let i = 0; i < params.length; i++) {
      const { weight, bias } = params[i];
      const f = ACTIVATIONS[activations[i]].forward;
      const next = new Array(weight.length);
      for (let j = 0; j < weight.length; j++) {
        let total = 0;
        for (let k = 0; k < x.length; k++) total += x[k] * weight[j][k];
        next[j] = f(total + bias[j]);
      }
      x = next;
    }
    return x;
  }

  function backwardByHand(params, layers, target, activations, loss) {
    const prediction = layers[layers.length - 1].output;
    let upstream = loss.gradient(prediction, target);
    const predictionGradient = upstream;
    const steps = [];
    for (let i = params.length - 1; i >= 0; i--) {
      const layer = layers[i];
      const fprime = ACTIVATIONS[activations[i]].derivative;
      const derivative = map(layer.preactivation, fprime);
      const delta = map(upstream, (u, r, c) => u * derivative[r][c]);
      steps.unshift({
        upstream,
        activation_derivative: derivative,
        delta,
        weight: matmul(transpose(delta), layer.input),
        bias: transpose(delta).map((column) => column.reduce((a, b) => a + b, 0)),
      });
      upstream = matmul(delta, params[i].weight);
    }
    return { predictionGradient, steps };
  }

  /** What training did, in one word (mlpmath/outcome.py's training_outcome). */
  function trainingOutcome(losses, counts, samples) {
    if (!losses.length || !losses.every(Number.isFinite)) return "diverged";
    if (losses[losses.length - 1] > losses[0]) return "rising";
    if (losses[losses.length - 1] === losses[0]) return "unchanged";
    if (!counts.length) return "falling";
    return counts[counts.length - 1] === samples ? "learned" : "partly";
  }

  function train(params, x, target, activations, learningRate, count, loss) {
    const records = [];
    const predictions = [];
    const accuracies = [];
    const pictured = regionSteps(count);
    const regionParams = [];
    for (let s = 0; s < count; s++) {
      if (pictured.includes(s)) regionParams.push(params);
      const layers = forward(params, x, activations);
      const prediction = layers[layers.length - 1].output;
      predictions.push(prediction);
      if (loss.classifies) accuracies.push(loss.accuracy(prediction, target));
      const { steps } = backwardByHand(params, layers, target, activations, loss);
      const updated = params.map((p, i) => ({
        weight: map(p.weight, (w, r, c) => w - learningRate * steps[i].weight[r][c]),
        bias: p.bias.map((b, j) => b - learningRate * steps[i].bias[j]),
      }));
      records.push({
        loss: loss.value(prediction, target),
        parameters: params,
        gradients: steps.map((g) => ({ weight: g.weight, bias: g.bias })),
        updated,
      });
      params = updated;
    }
    const final = forward(params, x, activations);
    const finalPrediction = final[final.length - 1].output;
    predictions.push(finalPrediction);
    regionParams.push(params);
    if (loss.classifies) accuracies.push(loss.accuracy(finalPrediction, target));
    const losses = [...records.map((r) => r.loss), loss.value(finalPrediction, target)];
    // the counts behind the accuracies: a share of the N samples, exactly
    const counts = accuracies.map((a) => Math.round(a * x.length));
    return {
      learning_rate: learningRate,
      losses,
      correct_counts: counts,
      outcome: trainingOutcome(losses, counts, x.length),
      // the same word for the first step alone (losses[0] to [1])
      first_outcome: trainingOutcome(losses.slice(0, 2), counts.slice(0, 2), x.length),
      layers: params,
      steps: records,
      predictions,
      accuracies,
      regions: loss.classifies && x[0].length === 2
        ? regions(x, regionParams, pictured, activations, loss) : null,
    };
  }

  function neuronTrace(spec) {
    const f = ACTIVATIONS[spec.activation].forward;
    const products = spec.inputs.map((row) => row.map((x, i) => x * spec.weight[i]));
    const sums = products.map((row) => row.reduce((a, b) => a + b, 0));
    const broadcast = sums.map(() => spec.bias);
    const pre = sums.map((v, s) => v + broadcast[s]);
    return {
      inputs: spec.inputs,
      weight: spec.weight,
      bias: spec.bias,
      activation: spec.activation,
      products,
      weighted_sum: sums,
      bias_broadcast: broadcast,
      preactivation: pre,
      output: pre.map(f),
    };
  }

  /** Every number of a lesson (the page's lesson JSON), as `trace --json` holds it. */
  function computeTrace(lesson) {
    const net = lesson.network;
    const loss = LOSSES[lesson.loss || "mse"];
    const activations = net.activations;
    const x = lesson.data.inputs;
    const target = loss.target(lesson);
    const params = net.layers.map((l) => ({ weight: l.weight, bias: l.bias }));
    const layers = forward(params, x, activations);
    const prediction = layers[layers.length - 1].output;
    const { predictionGradient, steps } = backwardByHand(params, layers, target, activations, loss);
    const network = {
      sizes: net.sizes,
      activation: net.activation,
      output_activation: activations[activations.length - 1],
      samples: x.length,
      layers: layers.map((layer, i) => ({
        input: layer.input,
        weight: params[i].weight,
        bias: params[i].bias,
        activation: activations[i],
        product: layer.product,
        bias_broadcast: layer.bias_broadcast,
        preactivation: layer.preactivation,
        output: layer.output,
      })),
      prediction,
      // the other loss's fields, empty ([] or null) as a trace of this loss holds them:
      // the lesson JSON carries them from mlpmath's records (mlpmath.schema.empty_fields)
      ...lesson.empty.network,
      ...loss.record(prediction, target),
      prediction_gradient: predictionGradient,
      // autograd's values in the lecture; here the same rule run once more: the page
      // has no autograd, the test compares these with torch's
      prediction_gradient_autograd: predictionGradient,
      gradients: steps.map((g) => ({ weight: g.weight, bias: g.bias })),
      chain_rule: steps,
      training: train(params, x, target, activations, lesson.training.learning_rate,
        lesson.training.steps, loss),
      net_prediction: prediction,
      loss_function: lesson.loss || "mse",
      // each class's name (the lesson's, else its number): data, carried as the trace does
      class_names: loss.classifies
        ? lesson.data.class_names || Array.from({ length: prediction[0].length }, (_, k) => String(k))
        : [],
    };
    const neurons = lesson.neurons.map(neuronTrace);
    const used = [...activations, ...lesson.neurons.map((n) => n.activation)];
    const demo = used.find((name) => name !== "none") || "relu";
    const demoValues = layers[0].preactivation.flat();
    return {
      lesson: lesson.name,
      title: lesson.title,
      decimals: lesson.decimals,
      neurons,
      network,
      activation_demo: {
        activation: demo,
        source: "network.layers[0].preactivation",
        preactivation: demoValues,
        output: demoValues.map(ACTIVATIONS[demo].forward),
      },
    };
  }

  // -- paths, as mlpmath.trace.resolve reads them ----------------------------------
  const TOKEN = /^(?:\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\])/;
  function parsePath(path) {
    const tokens = [];
    let rest = String(path);
    let first = true;
    while (rest.length) {
      const m = TOKEN.exec(rest);
      if (!m || (first && rest[0] === ".") || (!first && m[1] !== undefined && rest[0] !== ".")) {
        throw new Error(`${JSON.stringify(path)}: not a path (like network.layers[0].bias[1])`);
      }
      tokens.push(m[1] !== undefined ? m[1] : Number(m[2]));
      rest = rest.slice(m[0].length);
      first = false;
    }
    if (!tokens.length) throw new Error("empty path");
    return tokens;
  }
  function resolve(record, path) {
    let value = record;
    for (const token of parsePath(path)) {
      if (value === null || typeof value !== "object" || !(token in value)) {
        throw new Error(`${JSON.stringify(path)}: no value at ${JSON.stringify(token)}`);
      }
      value = value[token];
    }
    return value;
  }

  // -- edits: what a field accepts (mlpmath/lesson_checks.py's limits) -------------
  const MAX_MAGNITUDE = 1e6;
  const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  /** The number a field's text means, or {error} saying why it is refused. */
  function parseEdit(text, positive) {
    const t = String(text).trim().replace("\u2212", "-");
    if (t === "") return { error: "enter a number" };
    if (!NUMBER_TEXT.test(t)) return { error: "not a number" };
    const value = Number(t);
    if (!Number.isFinite(value) || Math.abs(value) > MAX_MAGNITUDE) {
      return { error: `at most ${MAX_MAGNITUDE.toExponential(0).replace("e+", "e")} in size` };
    }
    if (positive && !(value > 0)) return { error: "must be positive" };
    return { value };
  }

  /** A class field's text: a whole number from 0 to count - 1, or {error}. */
  function parseClass(text, count) {
    const t = String(text).trim();
    if (!/^[+-]?\d+$/.test(t) || Number(t) < 0 || Number(t) >= count) {
      return { error: `a class is a whole number from 0 to ${count - 1}` };
    }
    return { value: Math.abs(Number(t)) }; // "-0" is class 0
  }
  const isClassPath = (path) => /^data\.classes\[\d+\]$/.test(path);

  /** The editable values of a lesson: path in the trace -> where it lives in the lesson. */
  function editablePaths(lesson) {
    const paths = [];
    lesson.neurons.forEach((n, k) => {
      n.inputs.forEach((row, s) => row.forEach((_, i) => paths.push(`neurons[${k}].inputs[${s}][${i}]`)));
      n.weight.forEach((_, i) => paths.push(`neurons[${k}].weight[${i}]`));
      paths.push(`neurons[${k}].bias`);
    });
    lesson.network.layers.forEach((l, i) => {
      l.weight.forEach((row, r) => row.forEach((_, c) => paths.push(`network.layers[${i}].weight[${r}][${c}]`)));
      l.bias.forEach((_, j) => paths.push(`network.layers[${i}].bias[${j}]`));
    });
    lesson.data.inputs.forEach((row, s) => row.forEach((_, i) => paths.push(`data.inputs[${s}][${i}]`)));
    lesson.data.targets.forEach((row, s) => row.forEach((_, i) => paths.push(`data.targets[${s}][${i}]`)));
    (lesson.data.classes || []).forEach((_, s) => paths.push(`data.classes[${s}]`));
    paths.push("training.learning_rate");
    return paths;
  }

  /** A copy of `lesson` with the value at `path` replaced; throws on an unknown path. */
  function withEdit(lesson, path, value) {
    const tokens = parsePath(path);
    if (!editablePaths(lesson).includes(path)) throw new Error(`${path}: not an editable value`);
    const edited = JSON.parse(JSON.stringify(lesson));
    // trace paths name the network's parameters under network.layers, as the lesson does
    let holder = edited;
    for (const token of tokens.slice(0, -1)) holder = holder[token];
    holder[tokens[tokens.length - 1]] = value;
    return edited;
  }

  const api = {
    ACTIVATIONS,
    LOSSES,
    computeTrace,
    dotExpression: D.dotExpression,
    combine: D.combine,
    shown: D.shown,
    editablePaths,
    formatAccuracy: D.formatAccuracy,
    formatNumber: D.formatNumber,
    isClassPath,
    lessonToml: F.lessonToml,
    parseClass,
    parseEdit,
    parsePath,
    /** Each row's predicted class (its argmax), as the trace's predicted_classes. */
    predictedClasses: (logits) => logits.map(argmax),
    relation: D.relation,
    resolve,
    withEdit,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.MlpMaths = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
