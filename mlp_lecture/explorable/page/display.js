// The explorable page's display rules: mlpmath/display.py's, computed exactly with BigInt.
//
// formatNumber is format_number (whole numbers as integers, others at the lesson's
// decimals, ties to even, on the float's exact value); relation is relation (the "="
// or "≈" of shown arithmetic: "=" when the shown operands, done exactly, round to the
// shown result). A classic script: window.MlpDisplay in a page, module.exports under node.
(function (root) {
  "use strict";

  // -- exact decimals: a float's exact value, as BigInt numerator over denominator --
  const view = new DataView(new ArrayBuffer(8));
  function exactRational(value) {
    // a finite double as {num, den} (den a power of two), exactly
    view.setFloat64(0, value);
    const hi = view.getUint32(0);
    const lo = view.getUint32(4);
    const sign = hi >>> 31 ? -1n : 1n;
    const exponent = (hi >>> 20) & 0x7ff;
    let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    let power;
    if (exponent === 0) power = -1074;
    else {
      mantissa |= 1n << 52n;
      power = exponent - 1075;
    }
    if (power >= 0) return { num: sign * (mantissa << BigInt(power)), den: 1n };
    return { num: sign * mantissa, den: 1n << BigInt(-power) };
  }
  const TEN = (n) => 10n ** BigInt(n);
  const abs = (n) => (n < 0n ? -n : n);

  /** num/den rounded to a whole number: half-even or half-away-from-zero. */
  function roundRational(num, den, mode) {
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const q = num / den; // truncates toward zero
    const r = abs(num % den);
    const away = num < 0n ? q - 1n : q + 1n;
    if (2n * r > den) return away;
    if (2n * r < den) return q;
    if (mode === "even") return q % 2n === 0n ? q : away;
    return away;
  }

  function digits(integer, decimals) {
    // a whole number of 10^-decimals as text: "-12.3400"
    const negative = integer < 0n;
    let text = abs(integer).toString().padStart(decimals + 1, "0");
    if (decimals > 0) text = `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
    return (negative ? "-" : "") + text;
  }

  /** mlpmath.display.format_number: whole numbers as integers, others at `decimals`. */
  function formatNumber(value, decimals) {
    if (value === null || !Number.isFinite(value)) {
      if (value === null || Number.isNaN(value)) return "nan";
      return value > 0 ? "inf" : "-inf";
    }
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value === 0 ? 0 : value);
    const { num, den } = exactRational(value);
    const scaled = roundRational(num * TEN(decimals), den, "even");
    let text = digits(scaled, decimals);
    if (scaled === 0n && (num < 0n || Object.is(value, -0))) text = digits(0n, decimals);
    return text;
  }

  // -- shown arithmetic and its sign (mlpmath.display.relation) --------------------
  function shownRational(text) {
    const t = text.replace("\u2212", "-");
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(t);
    if (!m) return null; // inf, nan
    const fraction = m[3] || "";
    const num = BigInt(m[2] + fraction) * (m[1] ? -1n : 1n);
    return { num, den: TEN(fraction.length) };
  }
  const add = (a, b) => ({ num: a.num * b.den + b.num * a.den, den: a.den * b.den });
  const mul = (a, b) => ({ num: a.num * b.num, den: a.den * b.den });
  const neg = (a) => ({ num: -a.num, den: a.den });

  // A shown expression is built from these pieces; `text` is its Python-syntax form
  // (what the ledger records and mlpmath.display.evaluate reads), `value` exact.
  function shown(text) {
    return { text: `(${text})`, value: shownRational(text), float: Number(text.replace("\u2212", "-")) };
  }
  function combine(op, a, b) {
    const symbol = { "+": " + ", "-": " - ", "*": "*", "/": " / " }[op];
    const text = `${a.text}${symbol}${b.text}`;
    let value = null;
    if (a.value && b.value) {
      if (op === "+") value = add(a.value, b.value);
      else if (op === "-") value = add(a.value, neg(b.value));
      else if (op === "*") value = mul(a.value, b.value);
      else if (b.value.num !== 0n) value = { num: a.value.num * b.value.den, den: a.value.den * b.value.num };
    }
    const float = { "+": a.float + b.float, "-": a.float - b.float, "*": a.float * b.float,
      "/": a.float / b.float }[op];
    return { text, value, float };
  }
  /** Sum of products of shown texts: pairs [left, right|null] (mlpmath's dot_expression). */
  function dotExpression(pairs) {
    let total = null;
    for (const [left, right] of pairs) {
      const term = right === null ? shown(left) : combine("*", shown(left), shown(right));
      total = total === null ? term : combine("+", total, term);
    }
    return total;
  }

  /** "=" when the shown arithmetic, done exactly, rounds to the shown result; else "≈". */
  function relation(expression, result) {
    const shownResult = shownRational(result);
    if (!expression.value || !shownResult) {
      const r = Number(result);
      const same = expression.float === r || (Number.isNaN(expression.float) && Number.isNaN(r));
      return same ? "=" : "≈";
    }
    const precision = (result.split(".")[1] || "").length;
    const { num, den } = expression.value;
    const target = shownResult.num * (TEN(precision) / shownResult.den);
    const scaled = num * TEN(precision);
    return roundRational(scaled, den, "up") === target || roundRational(scaled, den, "even") === target
      ? "="
      : "≈";
  }

  /** mlpmath.display.format_accuracy: "6/8 = 0.75", the count then its share, with
   *  no more digits than it needs (at most max(decimals, 2)), "=" or "≈" by relation. */
  function formatAccuracy(correct, total, decimals) {
    const places = Math.max(decimals, 2);
    const scaled = roundRational(BigInt(correct) * TEN(places), BigInt(total), "even");
    let share = digits(scaled, places);
    if (share.includes(".")) share = share.replace(/0+$/, "").replace(/\.$/, "");
    const sign = relation(combine("/", shown(String(correct)), shown(String(total))), share);
    return `${correct}/${total} ${sign} ${share}`;
  }

  const api = { combine, dotExpression, formatAccuracy, formatNumber, relation, shown };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.MlpDisplay = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
