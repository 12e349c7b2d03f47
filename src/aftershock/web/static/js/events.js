// Events: the filtered event table with paging and order. Data: /api/events.
import {
  api, clear, currentFilters, eventsTable, fmtNum, initFilters, pageParam, redraw,
  setPageParams,
} from "./common.js";

const PAGE = 50;

async function render(filters) {
  const offset = Number(pageParam("offset", "0")) || 0;
  const order = pageParam("order", "newest");
  document.getElementById("order").value = order;
  const d = await api("/api/events", { ...filters, limit: PAGE, offset, order });
  const last = Math.min(d.total, offset + d.events.length);
  document.getElementById("page-info").textContent = d.total
    ? `${fmtNum(offset + 1)}–${fmtNum(last)} of ${fmtNum(d.total)} events`
    : "0 events";
  document.getElementById("prev").disabled = offset === 0;
  document.getElementById("next").disabled = d.next_offset === null;
  clear(document.getElementById("events-table"), eventsTable(d.events));
}

function go(changes) {
  setPageParams(changes);
  redraw(render(currentFilters()));
}

document.getElementById("order").addEventListener("change", (e) =>
  go({ order: e.target.value, offset: "" }));
document.getElementById("prev").addEventListener("click", () =>
  go({ offset: Math.max(0, Number(pageParam("offset", "0")) - PAGE) || "" }));
document.getElementById("next").addEventListener("click", () =>
  go({ offset: Number(pageParam("offset", "0")) + PAGE }));

initFilters(render);
