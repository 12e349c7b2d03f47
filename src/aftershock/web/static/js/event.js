// Event detail: the coded record, its action-reaction chain, other reports of the same
// real-world event, and its article with the evidence highlighted.
// Data: /api/events/{id} and /api/articles/{article_id}?event={id}.
import {
  actorLabel, api, clear, fmtGoldstein, h, placeLabel, quadBadge, showError,
} from "./common.js";

const eventId = decodeURIComponent(location.pathname.split("/")[2] || "");

function fact(dl, term, ...value) {
  const parts = value.flat().filter((v) => v !== null && v !== undefined && v !== "");
  if (!parts.length) return;
  dl.append(h("dt", {}, term), h("dd", {}, parts));
}

function actorFacts(a) {
  if (!a) return null;
  return [actorLabel(a), h("span", { class: "muted" },
    ` — “${a.text}”${a.code ? `, ${a.code}` : ""}${a.role ? `, ${a.role}` : ""}` +
    `${a.sponsor ? `, backed by ${a.sponsor}` : ""}`)];
}

function summary(ev, labels) {
  const action = h("strong", {}, `${labels?.cameo || ev.cameo.code} (${ev.cameo.code})`);
  const parts = [];
  if (ev.actor1) parts.push(actorLabel(ev.actor1), " → ");
  parts.push(action);
  if (ev.actor2) parts.push(" → ", actorLabel(ev.actor2));
  parts.push(` · ${ev.date || "undated"}`);
  if (ev.location) parts.push(` · ${placeLabel(ev.location)}`);
  return parts;
}

function chainItem(link, labels) {
  const ev = link.event;
  const kind = link.depth < 0 ? `cause ${-link.depth}` : link.depth > 0 ? `reaction ${link.depth}` : "this event";
  const body = [h("span", { class: "chain-kind" }, kind), " ", ev.date || "undated", " · ",
    actorLabel(ev.actor1), " → ", `${ev.cameo.code} ${ev.plover?.event || ""}`, " → ",
    actorLabel(ev.actor2)];
  return h("li", { class: link.depth === 0 ? "chain-self" : "", dataset: { depth: link.depth } },
    link.depth === 0 ? body : h("a", { href: `/events/${encodeURIComponent(ev.id)}` }, body),
    h("div", { class: "muted chain-sentence" }, ev.sentence));
}

function articleText(art) {
  const out = [];
  let focus = null;
  for (const seg of art.segments) {
    let node = seg.trigger ? h("strong", { class: "trigger" }, seg.text) : document.createTextNode(seg.text);
    if (!seg.focus) {
      if (seg.mention) node = h("mark", { class: "ev-mention" }, node);
      else if (seg.events.length) {
        node = h("a", { href: `/events/${encodeURIComponent(seg.events[0])}`, class: "ev-other",
          title: `evidence of ${seg.events.length} other event(s)` }, h("mark", {}, node));
      }
      focus = null;
      out.push(node);
      continue;
    }
    if (!focus) {
      focus = h("mark", { class: "ev-focus", id: "evidence" });
      out.push(focus);
    }
    focus.append(node);
  }
  return out;
}

async function render() {
  const d = await api(`/api/events/${encodeURIComponent(eventId)}`);
  const ev = d.event;
  document.title = `${ev.cameo.code} ${ev.date || ""} · Aftershock`;
  document.getElementById("page-title").textContent =
    `Event ${ev.id}`;
  clear(document.getElementById("event-summary"), quadBadge(ev.cameo.quad_class), " ",
    summary(ev, d.labels));
  document.getElementById("api-link").href = `/api/events/${encodeURIComponent(ev.id)}`;
  document.getElementById("api-link").textContent = `/api/events/${ev.id}`;

  const dl = clear(document.getElementById("event-facts"));
  fact(dl, "Date", ev.date || "unknown", ` (precision: ${ev.date_precision})`,
    ev.report_date ? `; reported ${ev.report_date}` : "");
  fact(dl, "Actor 1", actorFacts(ev.actor1));
  fact(dl, "Actor 2", actorFacts(ev.actor2));
  fact(dl, "CAMEO", `${ev.cameo.code} ${d.labels.cameo || ""}`,
    h("span", { class: "muted" }, ` (root ${ev.cameo.root} ${d.labels.root || ""})`));
  fact(dl, "Goldstein", fmtGoldstein(ev.cameo.goldstein));
  fact(dl, "QuadClass", `${ev.cameo.quad_class} ${d.labels.quad_class || ""}`);
  fact(dl, "PLOVER", [ev.plover?.event, ev.plover?.mode ? `mode ${ev.plover.mode}` : null,
    ev.plover?.context?.length ? `context ${ev.plover.context.join(", ")}` : null]
    .filter(Boolean).join(" · "));
  fact(dl, "ACLED", ev.acled ? `${ev.acled.event_type} / ${ev.acled.sub_event_type}` : "not an ACLED event");
  if (ev.location) {
    const l = ev.location;
    fact(dl, "Location", [l.name, l.admin1, l.country].filter(Boolean).join(", "),
      l.lat !== null && l.lat !== undefined ? ` (${l.lat}, ${l.lon}; ${l.precision})` : ` (${l.precision})`);
  }
  fact(dl, "Fatalities", ev.fatalities === null ? "not reported" : String(ev.fatalities));
  fact(dl, "Status", ev.status);
  fact(dl, "Tone", String(ev.tone));
  fact(dl, "Emotions", Object.entries(ev.emotions || {}).map(([k, v]) => `${k} ${v}`).join(", "));
  fact(dl, "Confidence", String(ev.confidence));
  if (ev.cluster_id) {
    fact(dl, "Cluster", h("a", { href: `/events?cluster=${encodeURIComponent(ev.cluster_id)}` },
      ev.cluster_id));
  }

  clear(document.getElementById("chain"), d.chain.map((l) => chainItem(l, d.labels)));
  if (d.chain.length === 1 && !d.cluster_chain?.before.length && !d.cluster_chain?.after.length) {
    document.getElementById("chain").append(h("li", { class: "muted" },
      "No causes or reactions linked to this event."));
  }
  if (d.cluster_chain && (d.cluster_chain.before.length || d.cluster_chain.after.length)) {
    const item = (c, kind) => h("li", { dataset: { cluster: c.cluster_id } },
      h("span", { class: "chain-kind" }, kind), " ", c.date || "undated", " · ",
      h("a", { href: `/events?cluster=${encodeURIComponent(c.cluster_id)}` },
        `${actorLabel(c.actor1)} → ${c.cameo?.code || ""} ${c.plover?.event || ""} → ` +
        `${actorLabel(c.actor2)}`),
      h("span", { class: "muted" }, ` (${c.num_articles} article${c.num_articles === 1 ? "" : "s"})`),
      h("div", { class: "muted chain-sentence" }, c.sentence || ""));
    document.getElementById("chain").append(
      h("li", { class: "chain-heading" }, "Across reports (clusters):"),
      d.cluster_chain.before.map((c) => item(c, "earlier cause")),
      d.cluster_chain.after.map((c) => item(c, "later reaction")));
  }
  const clusterList = clear(document.getElementById("cluster-events"));
  document.getElementById("cluster-title").hidden = !d.same_cluster.length;
  for (const other of d.same_cluster) {
    clusterList.append(h("li", {}, h("a", { href: `/events/${encodeURIComponent(other.id)}` },
      `${other.date || "undated"} · ${other.sentence}`)));
  }

  if (!d.article) {
    showError(`article ${ev.article_id} is not in the store`);
    return;
  }
  const art = await api(`/api/articles/${encodeURIComponent(ev.article_id)}`, { event: ev.id });
  document.getElementById("article-title").textContent = art.title || `Article ${art.id}`;
  document.getElementById("article-meta").textContent =
    [art.date, art.source, art.url, `id ${art.id}`].filter(Boolean).join(" · ");
  clear(document.getElementById("article-text"), articleText(art));
  document.getElementById("evidence")?.scrollIntoView({ block: "center" });
}

render().catch(() => {}).finally(() => { document.body.dataset.ready = "1"; });
