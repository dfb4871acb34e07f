// The loss's part of the explorable page's view: one entry per loss of maths.js's
// LOSSES. section(k) draws the loss's section (MSE: the table of errors and the worked
// mean; cross-entropy: the softmax step by step, each sample's -log p, predicted class
// and whether it is right, the worked mean and the accuracy); a classifier's pictures(k)
// draws the plane's regions during training. `k` is app.js's kit of building blocks;
// like app.js these only draw what the trace holds: no arithmetic here.
(function (root) {
  "use strict";

  const mse = {
    section(k) {
      const { h, value, flag, matrix, labelled, worked, section, tex, c, text, group, M, view, redraws, classCount } = k;
      const lesson = k.lesson();
      const sizes = lesson.network.sizes;
      const samples = lesson.data.inputs.length;
      const outputs = sizes[sizes.length - 1];
      const rows = [];
      for (let s = 0; s < samples; s++) for (let j = 0; j < outputs; j++) rows.push([s, j]);
      const table = h("table", { class: "matrix loss" },
        h("tr", {}, ...["sample", "y", "ŷ", "y − ŷ", "(y − ŷ)²"].map((t) => h("th", { text: t }))));
      for (const [s, j] of rows) {
        table.append(h("tr", {}, h("th", { text: outputs > 1 ? `${s + 1}, ${j + 1}` : String(s + 1) }),
          h("td", {}, value(`network.target[${s}][${j}]`, "result")),
          h("td", {}, value(`network.prediction[${s}][${j}]`, "active")),
          h("td", {}, value(`network.errors[${s}][${j}]`, "clamped")),
          h("td", {}, value(`network.squared_errors[${s}][${j}]`, "clamped"))));
      }
      const over = { ops: ["/"], expression: ([a, b]) => M.combine("/", M.shown(a), M.shown(b)) };
      section("The loss: mean squared error",
        tex(`L = \\frac{1}{K}\\sum (y - \\hat y)^2`, true),
        table,
        worked("S = \\sum (y-\\hat y)^2 =", rows.map(([s, j]) => [`network.squared_errors[${s}][${j}]`, null]),
          "network.squared_error_sum", ["clamped", null, "clamped"]),
        worked("L = S / K =", [["network.squared_error_sum", null], ["network.loss_count", null]],
          "network.loss", ["clamped", null, "clamped"], over));
    },
  };

  const crossEntropy = {
    section(k) {
      const { h, value, flag, matrix, labelled, worked, section, tex, c, text, group, M, view, redraws, classCount } = k;
      const lesson = k.lesson();
      const samples = lesson.data.inputs.length;
      const sampleNames = Array.from({ length: samples }, (_, s) => String(s + 1));
      const classNames = Array.from({ length: classCount }, (_, c) => `class ${c}`);
      const grid = (key, role) => matrix(samples, classCount, (s, c) => value(`network.softmax.${key}[${s}][${c}]`, role), sampleNames, classNames);
      const column = (key, role, name) => matrix(samples, 1, (s) => value(`network.softmax.${key}[${s}]`, role), sampleNames, [name]);
      const table = h("table", { class: "matrix loss" },
        h("tr", {}, ...["sample", "y", "p_y", "−log p_y", "predicted", ""].map((t) => h("th", { text: t }))));
      for (let s = 0; s < samples; s++) {
        table.append(h("tr", {}, h("th", { text: String(s + 1) }),
          h("td", {}, value(`network.classes[${s}]`, "result")),
          h("td", {}, value(`network.true_class_probability[${s}]`, "result")),
          h("td", {}, value(`network.cross_entropy[${s}]`, "clamped")),
          h("td", {}, value(`network.predicted_classes[${s}]`, "active")),
          h("td", {}, flag(`network.correct[${s}]`))));
      }
      const over = { ops: ["/"], expression: ([a, b]) => M.combine("/", M.shown(a), M.shown(b)) };
      const mean = {
        ops: [...Array(samples - 1).fill("+"), ") /"],
        expression: (texts) => {
          let total = M.shown(texts[0]);
          for (let s = 1; s < samples; s++) total = M.combine("+", total, M.shown(texts[s]));
          return M.combine("/", group(total), M.shown(texts[samples]));
        },
      };
      const terms = Array.from({ length: samples }, (_, s) => [`network.cross_entropy[${s}]`, null]);
      section("The loss: softmax, then cross-entropy",
        tex(`m = \\max_c z_c,\\quad ${c("result", "p_c")} = \\frac{e^{z_c - m}}{S},\\quad S = \\sum_c e^{z_c - m},\\qquad L = \\frac{1}{N}\\sum_{s} -\\log ${c("result", "p_{s,y_s}")} = \\frac{1}{N}\\sum_{s} \\big(\\log S_s - (z_{s,y_s} - m_s)\\big)`, true),
        h("div", { class: "row" },
          labelled("logits Z (the last layer's output)", grid("logits", "active")),
          labelled("m: each row's largest", column("row_max", "active", "m")),
          labelled("Z − m", grid("shifted", "active"))),
        h("div", { class: "row" },
          labelled("e^(Z − m)", grid("exp", "result")),
          labelled("S: each row's sum", column("exp_sum", "result", "S")),
          labelled("P = e^(Z − m) / S", grid("probabilities", "result"))),
        worked("p_{11} =", [["network.softmax.exp[0][0]", null], ["network.softmax.exp_sum[0]", null]],
          "network.softmax.probabilities[0][0]", ["result", null, "result"], over),
        h("p", { class: "note", text: "The predicted class is each row's largest logit (the first of equal ones)." }),
        table,
        worked("L = (", [...terms, ["network.loss_count", null]], "network.loss", ["clamped", null, "clamped"], mean),
        worked("\\text{accuracy} =", [["network.correct_count", null], ["network.loss_count", null]],
          "network.accuracy", ["active", null, "active"], over));
    },

    /** A 2-input classifier's plane after some steps: each cell the class predicted there,
     *  each sample a dot of its true class (the trace's network.training.regions). */
    pictures(k) {
      const { h, value, flag, matrix, labelled, worked, section, tex, c, text, group, M, view, redraws, classCount } = k;
      const lesson = k.lesson();
      const size = 192;
      const canvases = [];
      const row = h("div", { class: "row regions" });
      const colour = (k) => view.classes[k % view.classes.length];
      const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const cellCanvas = document.createElement("canvas");
      const cellImage = cellCanvas.getContext("2d");
      const pictures = Math.min(5, lesson.training.steps + 1);
      for (let i = 0; i < pictures; i++) {
        const canvas = h("canvas", { width: size, height: size, class: "regions", role: "img" });
        const caption = h("div", { class: "label" });
        canvases.push({ canvas, caption });
        row.append(h("div", { class: "block" }, caption, canvas));
      }
      redraws.push(() => {
        const regions = k.trace().network.training.regions;
        const [left, right, bottom, top] = regions.bounds;
        const x = k.lesson().data.inputs;
        canvases.forEach(({ canvas, caption }, i) => {
          const shown = i < regions.steps.length;
          canvas.hidden = !shown;
          caption.hidden = !shown;
          if (!shown) return;
          const step = regions.steps[i];
          caption.textContent = `after ${step} step${step === 1 ? "" : "s"}: accuracy ${text(`network.training.accuracies[${step}]`)}`;
          canvas.setAttribute("aria-label", caption.textContent);
          const g = canvas.getContext("2d");
          const cells = regions.predicted[i];
          // a pixel a cell (row 0 at the bottom), dimmed so the dots stand out, then scaled up
          const image = cellImage.createImageData(cells.length, cells.length);
          cells.forEach((classes, r) => classes.forEach((k, col) => {
            const at = 4 * ((cells.length - 1 - r) * cells.length + col);
            rgb(colour(k)).forEach((v, channel) => (image.data[at + channel] = Math.round(v * 0.5 + 11 * 0.5)));
            image.data[at + 3] = 255;
          }));
          cellCanvas.width = cellCanvas.height = cells.length;
          cellImage.putImageData(image, 0, 0);
          g.imageSmoothingEnabled = false;
          g.drawImage(cellCanvas, 0, 0, size, size);
          k.lesson().data.classes.forEach((k, s) => {
            const px = ((x[s][0] - left) / (right - left)) * size;
            const py = size - ((x[s][1] - bottom) / (top - bottom)) * size;
            g.beginPath();
            g.arc(px, py, 5, 0, 2 * Math.PI);
            g.fillStyle = colour(k);
            g.fill();
            g.lineWidth = 2;
            g.strokeStyle = "#111";
            g.stroke();
          });
        });
      });
      return h("div", { class: "block" },
        h("div", { class: "label", text: "The plane of inputs: the class the network predicts in each cell, each sample a dot of its true class" }),
        row);
    },
  };

  root.MlpLossViews = { mse, cross_entropy: crossEntropy };
})(typeof globalThis !== "undefined" ? globalThis : this);
