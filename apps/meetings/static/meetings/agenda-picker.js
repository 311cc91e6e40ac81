// The new-meeting agenda picker: a search over the proposals (number, title, place) that
// hides the rest and opens the groups with matches; "全选本组" ticks a group's visible
// proposals; each group's summary shows how many are ticked. Without script the groups
// still open and close and every checkbox works.
(function () {
  "use strict";
  const search = document.getElementById("proposal-search");
  const groups = Array.from(document.querySelectorAll(".proposal-group"));
  const count = document.getElementById("proposal-count");

  function refresh(group) {
    const boxes = group.querySelectorAll("input[name=proposals]");
    const ticked = Array.from(boxes).filter((b) => b.checked).length;
    group.querySelector(".group-chosen").textContent = ticked ? "已选 " + ticked : "";
  }

  groups.forEach((group) => {
    refresh(group);
    group.addEventListener("change", (event) => {
      if (event.target.classList.contains("check-group")) {
        group.querySelectorAll(".proposal").forEach((li) => {
          if (!li.hidden) li.querySelector("input[name=proposals]").checked = event.target.checked;
        });
      }
      refresh(group);
    });
  });

  if (!search) return;
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    groups.forEach((group) => {
      let hits = 0;
      group.querySelectorAll(".proposal").forEach((li) => {
        const text = li.dataset.text.toLowerCase();
        const match = words.every((w) => text.includes(w));
        li.hidden = !match;
        hits += match ? 1 : 0;
      });
      group.hidden = hits === 0;
      if (words.length) group.open = hits > 0;
      shown += hits;
    });
    count.textContent = words.length ? "找到 " + shown + " 条" : "";
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // searching must not submit the form
  });
})();
