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
      const count = outputs > 1 ? "N \\cdot \\text{outputs}" : "N";
      section("The loss: mean squared error",
        // N samples (the notation's N); several outputs: N times the outputs' entries
        tex(`L = \\frac{1}{${count}}\\sum (y - \\hat y)^2`, true),
        k.scroll(table),
        worked("S = \\sum (y-\\hat y)^2 =", rows.map(([s, j]) => [`network.squared_errors[${s}][${j}]`, null]),
          "network.squared_error_sum", ["clamped", null, "clamped"]),
        worked(`L = S / ${outputs > 1 ? `(${count})` : count} =`, [["network.squared_error_sum", null], ["network.loss_count", null]],
          "network.loss", ["clamped", null, "clamped"], over));
    },
  };

  const crossEntropy = {
    section(k) {
      const { h, value, flag, matrix, labelled, worked, section, tex, c, text, group, M, view, redraws, classCount } = k;
      const lesson = k.lesson();
      const samples = lesson.data.inputs.length;
      const sampleNames = Array.from({ length: samples }, (_, s) => `(${s + 1})`);
      // a column per class k, headed by its name (or number) and its logit's index
      const classNames = Array.from({ length: classCount }, (_, c) => k.classLabel(c));
      const grid = (key, role) => matrix(samples, classCount, (s, c) => value(`network.softmax.${key}[${s}][${c}]`, role), sampleNames, classNames);
      const column = (key, role, name) => matrix(samples, 1, (s) => value(`network.softmax.${key}[${s}]`, role), sampleNames, [name]);
      const table = h("table", { class: "matrix loss" },
        h("tr", {}, ...["i", "y⁽ⁱ⁾", "", "p_y⁽ⁱ⁾", "L⁽ⁱ⁾ = −log p_y⁽ⁱ⁾", "ŷ⁽ⁱ⁾", "", ""].map((t) => h("th", { text: t }))));
      for (let s = 0; s < samples; s++) {
        table.append(h("tr", {}, h("th", { text: `(${s + 1})` }),
          h("td", {}, value(`network.classes[${s}]`, "result")),
          h("td", { class: "name" }, k.className(`network.classes[${s}]`)),
          h("td", {}, value(`network.true_class_probability[${s}]`, "result")),
          h("td", {}, value(`network.cross_entropy[${s}]`, "clamped")),
          h("td", {}, value(`network.predicted_classes[${s}]`, "active")),
          h("td", { class: "name" }, k.className(`network.predicted_classes[${s}]`)),
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
      const z = "z_k^{(i)}";
      const legend = k.named
        ? h("p", { class: "note", text: `Classes, numbered as the lesson numbers them: ${classNames.map((name, c) => `${c} ${name}`).join(", ")}.` })
        : null;
      section("The loss: softmax, then cross-entropy",
        tex(`m^{(i)} = \\max_k ${z},\\quad ${c("result", "p_k^{(i)}")} = \\frac{e^{${z} - m^{(i)}}}{S^{(i)}},\\quad S^{(i)} = \\sum_k e^{${z} - m^{(i)}},\\qquad L = \\frac{1}{N}\\sum_{i} -\\log ${c("result", "p_y^{(i)}")},\\ y = y^{(i)}`, true),
        legend,
        h("div", { class: "row" },
          labelled("logits Z (the last layer's output)", grid("logits", "active")),
          labelled("m: each row's largest", column("row_max", "active", "m")),
          labelled("Z − m", grid("shifted", "active"))),
        h("div", { class: "row" },
          labelled("e^(Z − m)", grid("exp", "result")),
          labelled("S: each row's sum", column("exp_sum", "result", "S")),
          labelled("P = e^(Z − m) / S", grid("probabilities", "result"))),
        worked(`p_{0}^{(1)} =`, [["network.softmax.exp[0][0]", null], ["network.softmax.exp_sum[0]", null]],
          "network.softmax.probabilities[0][0]", ["result", null, "result"], over),
        h("p", { class: "note", text: "The predicted class ŷ⁽ⁱ⁾ is the class of each row's largest logit (the first of equal ones)." }),
        k.scroll(table),
        worked("L = (", [...terms, ["network.loss_count", null]], "network.loss", ["clamped", null, "clamped"], mean),
        h("div", { class: "worked" }, tex("\\text{accuracy} ="), k.accuracy(null),
          h("span", { class: "op", text: "(samples predicted right / N)" })));
    },

    /** A 2-input classifier's plane after some steps: each cell the class predicted there,
     *  each sample a dot of its true class, ringed when it is predicted wrong (the trace's
     *  network.training.regions), with a legend of the classes. */
    pictures(k) {
      const { h, M, view, redraws, classCount } = k;
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
      const legend = h("div", { class: "legend" },
        ...Array.from({ length: classCount }, (_, c) => h("span", { class: "key" },
          h("span", { class: "swatch", style: `background:${colour(c)}` }), k.classLabel(c))),
        h("span", { class: "key" }, h("span", { class: "ring" }), "predicted wrong"));
      redraws.push(() => {
        const trace = k.trace();
        const regions = trace.network.training.regions;
        const [left, right, bottom, top] = regions.bounds;
        const x = k.lesson().data.inputs;
        const classes = k.lesson().data.classes;
        canvases.forEach(({ canvas, caption }, i) => {
          const shown = i < regions.steps.length;
          canvas.hidden = !shown;
          caption.hidden = !shown;
          if (!shown) return;
          const step = regions.steps[i];
          const accuracy = h("span", { class: "num", "data-accuracy": String(step) });
          caption.replaceChildren(`after ${step} step${step === 1 ? "" : "s"}: accuracy `, accuracy);
          k.accuracyAt(accuracy, step);
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
          const predicted = M.predictedClasses(trace.network.training.predictions[step]);
          classes.forEach((y, s) => {
            const px = ((x[s][0] - left) / (right - left)) * size;
            const py = size - ((x[s][1] - bottom) / (top - bottom)) * size;
            g.beginPath();
            g.arc(px, py, 5, 0, 2 * Math.PI);
            g.fillStyle = colour(y);
            g.fill();
            g.lineWidth = 2;
            g.strokeStyle = "#111";
            g.stroke();
            if (predicted[s] !== y) {
              g.beginPath();
              g.arc(px, py, 9, 0, 2 * Math.PI);
              g.lineWidth = 2;
              g.strokeStyle = "#fff";
              g.stroke();
            }
          });
        });
      });
      return h("div", { class: "block" },
        h("div", { class: "label", text: "The plane of inputs: the class the network predicts in each cell, each sample a dot of its true class, ringed when it is predicted wrong" }),
        legend, row);
    },
  };

  root.MlpLossViews = { mse, cross_entropy: crossEntropy };
})(typeof globalThis !== "undefined" ? globalThis : this);
