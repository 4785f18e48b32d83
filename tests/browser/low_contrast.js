// Every visible text whose contrast with what is drawn behind it is below WCAG AA (4.5:1, or
// 3:1 for large text), as 'element.class "text" ratio < needed (colours)'. The colours are the
// browser's computed ones: text colour (with the opacity of its ancestors) over the stack of
// background colours behind it. Disabled controls are exempt, as WCAG allows.
() => {
  function parse(c) {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, under) {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  }
  function lum(c) {
    const f = v => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    if (!layers.length || layers[layers.length - 1][3] < 1) {
      const root = parse(getComputedStyle(document.documentElement).backgroundColor);
      if (root && root[3] > 0) bg = over(root, bg);
    }
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  }
  const disabledControls =
    "button:disabled, input:disabled, select:disabled, textarea:disabled, [aria-disabled=true]";
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim()) continue;
    seen.add(el);
    if (el.closest("svg, option, script, style, [hidden], .visually-hidden")) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== "visible") continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2) continue;
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    if (opacity === 0 || el.closest(disabledControls)) continue;
    const bg = background(el);
    const text = parse(cs.color);
    text[3] *= opacity;
    const fg = over(text, bg);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (Number(cs.fontWeight) >= 700 && size >= 18.66);
    const need = large ? 3 : 4.5;
    if (ratio + 0.005 < need) {
      const what = `${el.tagName.toLowerCase()}.${el.className}`;
      const words = node.textContent.trim().slice(0, 30);
      const colours = `${cs.color} on rgb(${bg.slice(0, 3).map(Math.round)})`;
      out.push(`${what} "${words}" ${ratio.toFixed(2)} < ${need} (${colours})`);
    }
  }
  return out;
}
