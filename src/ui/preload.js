((p, sfx, rest, pack, ms, split) => {
  const l = (a) => document.head.appendChild(Object.assign(document.createElement("link"), a, { crossOrigin: "anonymous" }));
  const wasm = (m) => p + "/" + (typeof m == "number" ? "chunk_" + m : m) + sfx + ".wasm";
  for (const m of rest) l({ rel: "preload", as: "fetch", type: "application/wasm", href: wasm(m) });
  if (pack) {
    const f = window.fetch;
    const url = (u) => new URL(u, document.baseURI).href;
    const want = new Map(ms.map((m, i) => [url(wasm(m)), i]));
    let parts = f.call(window, p + "/" + pack)
      .then((r) => { if (!r.ok) throw r.status; return r.arrayBuffer(); })
      .then((a) => {
        const v = new DataView(a), out = [];
        let at = 0;
        for (const _ of ms) {
          const n = v.getUint32(at, true);
          if (!(n >= 8 && v.getUint32(at + 4) === 0x0061736d)) throw at;
          out.push(new Uint8Array(a, at + 4, n));
          at += 4 + n;
        }
        if (at !== a.byteLength) throw at;
        return out;
      })
      .catch((e) => { console.warn("WebAssembly pack unusable, fetching its chunks one by one:", e); return null; });
    const wrap = function (i, o) {
      let u = "";
      try { u = i instanceof URL ? i.href : typeof i == "string" ? url(i) : ""; } catch (_) {}
      const n = want.get(u);
      if (n === undefined) return f.apply(window, arguments);
      want.delete(u);
      const got = parts;
      if (!want.size) {
        parts = null;
        if (window.fetch === wrap) window.fetch = f;
      }
      return got.then((x) => x ? new Response(x[n], { headers: { "Content-Type": "application/wasm" } }) : f.call(window, i, o));
    };
    window.fetch = wrap;
  }
  l({ rel: "modulepreload", href: p + "/" + split });
})
