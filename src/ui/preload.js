((p, rest, pack, ms, split) => {
  const l = (a) => document.head.appendChild(Object.assign(document.createElement("link"), a, { crossOrigin: "anonymous" }));
  for (const m of rest) l({ rel: "preload", as: "fetch", type: "application/wasm", href: p + "/" + m + ".wasm" });
  if (pack) {
    const f = window.fetch;
    const want = new Map(ms.map((m, i) => [new URL(p + "/" + m + ".wasm", location.href).href, i]));
    const parts = f.call(window, p + "/" + pack)
      .then((r) => { if (!r.ok) throw r.status; return r.arrayBuffer(); })
      .then((a) => {
        const v = new DataView(a), out = [];
        let at = 0;
        for (const _ of ms) { const n = v.getUint32(at, true); out.push(new Uint8Array(a, at + 4, n)); at += 4 + n; }
        if (at !== a.byteLength) throw at;
        return out;
      })
      .catch(() => null);
    window.fetch = function (i, o) {
      const u = i instanceof URL ? i.href : typeof i == "string" ? new URL(i, location.href).href : "";
      const n = want.get(u);
      if (n === undefined) return f.apply(window, arguments);
      want.delete(u);
      if (!want.size) window.fetch = f;
      return parts.then((x) => x ? new Response(x[n], { headers: { "Content-Type": "application/wasm" } }) : f.call(window, i, o));
    };
  }
  l({ rel: "modulepreload", href: p + "/" + split });
})
