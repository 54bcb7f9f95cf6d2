// Measurements the accessibility audit (tests/browser/audit.py) takes in the page. Evaluated by
// Playwright as one arrow function: `(what) => {...}`, returning plain data for Python to judge.
(what) => {
  "use strict";

  // --- colours ----------------------------------------------------------------------------------
  function parse(colour) {
    const m = colour.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  }
  function over(top, bottom) {
    const a = top.a;
    return { r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a), b: top.b * a + bottom.b * (1 - a), a: 1 };
  }
  // The solid colour painted behind `el` (its own background when `includeSelf`), blending any
  // translucent layers over the white page.
  function backdrop(el, includeSelf) {
    const layers = [];
    for (let node = includeSelf ? el : el.parentElement; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    let colour = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  }
  function luminance(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return Math.round(((x + 0.05) / (y + 0.05)) * 100) / 100;
  }
  const hex = (c) => "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");

  // --- which elements count -------------------------------------------------------------------
  function shown(el) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false; // hidden, or visually-hidden until focused
    if (el.closest("[hidden], [aria-hidden=true]")) return false;
    const s = getComputedStyle(el);
    return s.visibility !== "hidden" && s.display !== "none";
  }
  function describe(el) {
    const text = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim().replace(/\s+/g, " ");
    const label = el.labels && el.labels[0] ? el.labels[0].innerText.trim().replace(/\s+/g, " ") : "";
    const name = label || text || el.getAttribute("name") || "";
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.type && el.tagName === "INPUT" ? " type=" + el.type : ""}> "${name.slice(0, 50)}"`;
  }
  const CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  const TEXT_INPUTS = "input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=submit]):not([type=button]), select, textarea";

  // A link inside running text is exempt from the target size (WCAG 2.5.5 "inline"): its nearest
  // block holds other words besides the link's own.
  function inSentence(link) {
    let block = link.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
    if (!block) return false;
    const clone = block.cloneNode(true);
    clone.querySelectorAll("a, button").forEach((n) => n.remove());
    return /[A-Za-z0-9]/.test(clone.textContent);
  }

  function round(r) {
    return { x: Math.round(r.left), y: Math.round(r.top), width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 };
  }

  // --- the measurements -----------------------------------------------------------------------
  if (what === "targets") {
    const out = [];
    for (const el of document.querySelectorAll(CONTROLS)) {
      if (!shown(el) || el.disabled) continue;
      let box = el.getBoundingClientRect();
      let kind = el.tagName.toLowerCase();
      if (el.type === "radio" || el.type === "checkbox") {
        // The tap target is the label, which must also cover the box itself.
        const label = el.closest("label") || (el.labels && el.labels[0]);
        if (label) {
          const own = el.getBoundingClientRect();
          const cx = own.left + own.width / 2, cy = own.top + own.height / 2;
          const lb = label.getBoundingClientRect();
          const covers = cx >= lb.left && cx <= lb.right && cy >= lb.top && cy <= lb.bottom;
          box = covers ? lb : own;
          kind = covers ? "label" : "input outside its label";
        }
      } else if (el.tagName === "A" && inSentence(el)) {
        continue;
      }
      out.push({ element: describe(el), kind, ...round(box) });
    }
    return out;
  }

  if (what === "borders") {
    const out = [];
    for (const el of document.querySelectorAll(TEXT_INPUTS + ", input[type=radio], input[type=checkbox]")) {
      if (!shown(el)) continue;
      const s = getComputedStyle(el);
      const border = parse(s.borderTopColor);
      const width = parseFloat(s.borderTopWidth);
      const outside = backdrop(el, false);
      const inside = backdrop(el, true);
      out.push({
        element: describe(el),
        border: hex(border), width,
        against_outside: contrast(border, outside), outside: hex(outside),
        against_inside: contrast(border, inside), inside: hex(inside),
      });
    }
    return out;
  }

  if (what === "tabbable") {
    // What a keyboard user should reach with Tab: every shown control, one radio per group.
    const seen = new Set();
    const out = [];
    document.querySelectorAll("[data-audit-id]").forEach((n) => n.removeAttribute("data-audit-id"));
    let i = 0;
    for (const el of document.querySelectorAll(CONTROLS + ", [tabindex]")) {
      if (!shown(el) || el.disabled || el.tabIndex < 0) continue;
      if (el.type === "radio") {
        const group = el.form ? el.form.id + "/" + el.name : el.name;
        if (seen.has(group)) continue;
        seen.add(group);
      }
      el.setAttribute("data-audit-id", String(++i));
      out.push({ id: String(i), group: el.type === "radio" ? el.name : "", element: describe(el) });
    }
    return out;
  }

  if (what === "focused") {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const ring = parse(s.outlineColor);
    const outside = backdrop(el, false);
    return {
      id: el.getAttribute("data-audit-id") || "",
      in_main: Boolean(el.closest("main")),
      group: el.type === "radio" ? el.name : "",
      element: describe(el),
      focus_visible: el.matches(":focus-visible"),
      style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: ring ? hex(ring) : s.outlineColor,
      against: ring ? contrast(ring, outside) : 0, background: hex(outside),
    };
  }

  if (what === "edges") {
    const brand = document.querySelector(".site-header .navbar-brand");
    const nav = [...document.querySelectorAll(".site-header .nav-link")].filter(shown);
    return {
      viewport: window.innerWidth,
      scroll_width: document.documentElement.scrollWidth,
      brand: brand ? { text: brand.innerText.trim(), ...round(brand.getBoundingClientRect()) } : null,
      nav: nav.map((n) => ({ text: n.innerText.trim(), ...round(n.getBoundingClientRect()) })),
    };
  }

  throw new Error("unknown measurement " + what);
}
