// The edited lesson as a lesson file, in mlpmath/lesson_writer.py's format (what the
// page's Download button saves, and `mlp-lecture render` takes). A classic script:
// window.MlpLessonFile in a page, module.exports under node.
(function (root) {
  "use strict";

  // -- the lesson as a lesson file (mlpmath/lesson_writer.py's format) -------------
  function tomlNumber(value) {
    if (Object.is(value, -0)) return "-0.0";
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
    return String(value); // the shortest text that reads back as the same float
  }
  const tomlVector = (v) => `[${v.map(tomlNumber).join(", ")}]`;
  const tomlMatrix = (m) => `[${m.map(tomlVector).join(", ")}]`;
  const tomlRows = (m) => (m.length === 1 ? tomlMatrix(m) : `[\n${m.map((r) => `    ${tomlVector(r)},\n`).join("")}]`);
  const commented = (line, comment) => `${line.padEnd(30)} # ${comment}`;
  const tomlString = (text) =>
    JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

  function lessonToml(lesson) {
    const net = lesson.network;
    const choices = "none | relu | sigmoid | tanh";
    const out = [
      `# ${lesson.title.split(/\s+/).filter(Boolean).join(" ")}`,
      "# A lesson file for mlp-lecture, edited in its explorable page.",
      "# Check it with `mlp-lecture trace THIS_FILE.toml`; render it with `mlp-lecture render`.",
      `title = ${tomlString(lesson.title)}`,
      "",
      "[display]",
      commented(`decimals = ${lesson.decimals}`, "digits shown after the point (the math keeps full precision)"),
    ];
    lesson.neurons.forEach((n, k) => {
      out.push("", `# Part 1: one neuron, ${n.inputs.length === 1 ? "one sample" : `${n.inputs.length} samples`}.`,
        "[[neuron]]",
        k === 0 ? commented(`inputs = ${tomlMatrix(n.inputs)}`, "one row per sample") : `inputs = ${tomlMatrix(n.inputs)}`,
        `weight = ${tomlVector(n.weight)}`,
        `bias = ${tomlNumber(n.bias)}`,
        k === 0 ? commented(`activation = ${tomlString(n.activation)}`, choices) : `activation = ${tomlString(n.activation)}`);
    });
    out.push("", "# Part 2: the network.", "[network]",
      commented(`sizes = ${tomlVector(net.sizes)}`, "input size, then each layer's width"),
      commented(`activation = ${tomlString(net.activation)}`, `hidden layers: ${choices}`),
      commented(`output_activation = ${tomlString(net.output_activation)}`, "the last layer's"));
    if ((lesson.loss || "mse") !== "mse") {
      out.push(commented(`loss = ${tomlString(lesson.loss)}`, "the last layer's outputs are the logits; mse learns data.targets instead"));
    }
    if (net.seed !== 0) out.push(commented(`seed = ${net.seed}`, "unused: the layers below give weights"));
    net.layers.forEach((layer, i) => {
      const fanIn = net.sizes[i];
      const fanOut = net.sizes[i + 1];
      out.push("", `# Layer ${i + 1}: nn.Linear(${fanIn}, ${fanOut}).`, "[[network.layer]]",
        `weight = ${tomlRows(layer.weight)}`, `bias = ${tomlVector(layer.bias)}`);
      const own = i === net.sizes.length - 2 ? net.output_activation : net.activation;
      if (net.activations[i] !== own) {
        out.push(commented(`activation = ${tomlString(net.activations[i])}`, "this layer's own activation"));
      }
    });
    out.push("", "[data]",
      commented(`inputs = ${tomlMatrix(lesson.data.inputs)}`, "one row per sample"),
      (lesson.loss || "mse") === "mse"
        ? commented(`targets = ${tomlMatrix(lesson.data.targets)}`, "the outputs to learn, per row")
        : commented(`classes = ${tomlVector(lesson.data.classes)}`, `each sample's class, 0 to ${net.sizes[net.sizes.length - 1] - 1}`));
    const names = lesson.data.class_names || [];
    if ((lesson.loss || "mse") !== "mse" && names.some((name, k) => name !== String(k))) {
      out.push(commented(`class_names = [${names.map(tomlString).join(", ")}]`, "each class's name, in the order of the outputs"));
    }
    out.push("", "[training]",
      commented(`learning_rate = ${tomlNumber(lesson.training.learning_rate)}`, "plain gradient descent: w - learning_rate * dL/dw, each bias alike"),
      commented(`steps = ${lesson.training.steps}`, "how many steps the lecture trains"));
    return `${out.join("\n")}\n`;
  }

  const api = { lessonToml };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.MlpLessonFile = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
